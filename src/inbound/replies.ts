/**
 * The reply texts, per language, with {placeholders}. Kept short and in the GSM 7-bit
 * alphabet where the language allows, so that a reply is one SMS part. None carries
 * marketing (a STOP confirmation must not: FCC 24-24). Operators override any of them with
 * inbound.replyTexts (docs/keywords.md lists keys and placeholders).
 */
import { gsmSafe } from "./format.js";

export type ReplyKey =
  | "help"
  | "balanceLine"
  | "balanceNothingDue"
  | "stop"
  | "start"
  | "paid"
  | "promise"
  | "promiseUnreadable"
  | "promisePast"
  | "promiseTooFar"
  | "dispute"
  | "unknown";

type Texts = Record<ReplyKey, string>;

const en: Texts = {
  help: "{company}: payment reminders.{support} Reply BALANCE for your balance, STOP to end texts. Msg&data rates may apply.",
  balanceLine: "{company}, account {account}: {amount} open, earliest due {due}.",
  balanceNothingDue: "{company}, account {account}: nothing is due. Thank you!",
  stop: "{company}: you will get no more texts from us. Reply START to get them again.",
  start: "{company}: texts are on again. Reply STOP to end them.",
  paid: "{company}: thank you, we noted your payment. No reminders until {date} while we check it.",
  promise: "{company}: thank you, we noted your promise to pay by {date}. No reminders until then.",
  promiseUnreadable: "{company}: we could not read the date. Please reply e.g. PROMISE {example}.",
  promisePast: "{company}: {date} has passed. Please reply with a date from today on, e.g. PROMISE {example}.",
  promiseTooFar: "{company}: we can note a promise up to {max}.{support}",
  dispute: "{company}: thank you, we noted your objection. Reminders are paused; a person will get back to you.",
  unknown:
    "{company}: a person will read your message. Reply BALANCE for your balance, HELP for help, STOP to end texts.",
};

const de: Texts = {
  help: "{company}: Zahlungserinnerungen.{support} BALANCE oder SALDO: Kontostand, STOP: keine SMS mehr.",
  balanceLine: "{company}, Konto {account}: {amount} offen, fällig ab {due}.",
  balanceNothingDue: "{company}, Konto {account}: nichts offen. Danke!",
  stop: "{company}: Sie erhalten keine SMS mehr von uns. START schaltet sie wieder ein.",
  start: "{company}: SMS sind wieder eingeschaltet. STOP beendet sie.",
  paid: "{company}: Danke, wir haben Ihre Zahlung notiert und erinnern bis {date} nicht, während wir sie prüfen.",
  promise: "{company}: Danke, wir haben Ihre Zusage notiert, bis {date} zu zahlen. Bis dahin keine Erinnerung.",
  promiseUnreadable: "{company}: Wir konnten das Datum nicht lesen. Bitte z.B. PROMISE {example} senden.",
  promisePast: "{company}: Der {date} ist vorbei. Bitte ein Datum ab heute senden, z.B. PROMISE {example}.",
  promiseTooFar: "{company}: Wir können eine Zusage bis {max} notieren.{support}",
  dispute: "{company}: Danke, wir haben Ihren Einwand notiert. Erinnerungen ruhen; wir melden uns.",
  unknown: "{company}: Ihre Nachricht wird gelesen. SALDO: Kontostand, HILFE: Hilfe, STOP: keine SMS mehr.",
};

const fr: Texts = {
  help: "{company}: rappels de paiement.{support} SOLDE: votre solde, STOP: plus de SMS.",
  balanceLine: "{company}, compte {account}: {amount} dus, échéance {due}.",
  balanceNothingDue: "{company}, compte {account}: rien à payer. Merci!",
  stop: "{company}: vous ne recevrez plus de SMS de notre part. START pour les réactiver.",
  start: "{company}: SMS réactivés. STOP pour les arrêter.",
  paid: "{company}: merci, paiement noté. Pas de rappel jusqu'au {date}, le temps de vérifier.",
  promise: "{company}: merci, promesse de paiement notée pour le {date}. Pas de rappel d'ici là.",
  promiseUnreadable: "{company}: date illisible. Répondez par ex. PROMISE {example}.",
  promisePast: "{company}: le {date} est passé. Répondez avec une date à partir d'aujourd'hui, ex. PROMISE {example}.",
  promiseTooFar: "{company}: nous notons une promesse jusqu'au {max}.{support}",
  dispute: "{company}: merci, contestation notée. Les rappels sont suspendus; nous vous recontacterons.",
  unknown: "{company}: votre message sera lu. SOLDE: votre solde, AIDE: aide, STOP: plus de SMS.",
};

const es: Texts = {
  help: "{company}: recordatorios de pago.{support} SALDO: su saldo, STOP: no más SMS.",
  balanceLine: "{company}, cuenta {account}: {amount} pendiente, vence {due}.",
  balanceNothingDue: "{company}, cuenta {account}: nada pendiente. ¡Gracias!",
  stop: "{company}: no recibirá más SMS nuestros. Responda START para volver a recibirlos.",
  start: "{company}: SMS activados de nuevo. STOP para terminarlos.",
  paid: "{company}: gracias, anotamos su pago. Sin recordatorios hasta el {date} mientras lo comprobamos.",
  promise: "{company}: gracias, anotamos su promesa de pago para el {date}. Sin recordatorios hasta entonces.",
  promiseUnreadable: "{company}: no pudimos leer la fecha. Responda p.ej. PROMISE {example}.",
  promisePast: "{company}: el {date} ya pasó. Responda con una fecha desde hoy, p.ej. PROMISE {example}.",
  promiseTooFar: "{company}: anotamos promesas hasta el {max}.{support}",
  dispute: "{company}: gracias, anotamos su reclamación. Recordatorios en pausa; le contactaremos.",
  unknown: "{company}: una persona leerá su mensaje. SALDO: su saldo, AYUDA: ayuda, STOP: no más SMS.",
};

const BUILT_IN: Record<string, Texts> = { en, de, fr, es };

const SUPPORT: Record<string, string> = {
  en: " Help: {contact}.",
  de: " Hilfe: {contact}.",
  fr: " Aide: {contact}.",
  es: " Ayuda: {contact}.",
};

export class ReplyTexts {
  constructor(
    private readonly overrides: Record<string, Record<string, string>>,
    private readonly company: string,
    private readonly supportContact: string,
  ) {}

  /** The text for a key in the best language for the locale ("de-AT" → override de-AT, de, built-in de, en). */
  render(locale: string, key: ReplyKey, vars: Record<string, string> = {}): string {
    const lang = locale.slice(0, 2).toLowerCase();
    const template = this.overrides[locale]?.[key] ?? this.overrides[lang]?.[key] ?? BUILT_IN[lang]?.[key] ?? en[key];
    const support = this.supportContact ? (SUPPORT[lang] ?? SUPPORT.en!).replace("{contact}", this.supportContact) : "";
    const all: Record<string, string> = { company: this.company, support, contact: this.supportContact, ...vars };
    return gsmSafe(template.replace(/\{(\w+)\}/g, (_, name: string) => all[name] ?? "")).trim();
  }
}
