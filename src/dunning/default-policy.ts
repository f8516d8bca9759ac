/**
 * The built-in policy: what an appliance does out of the box. It reads like a polite company:
 * a reminder before the due date, one on the day, two after it and a final notice that marks
 * the account for suspension. VIPs get two gentle notes, a strict segment more and firmer
 * ones, an exempt segment nothing.
 *
 * Texts in English, German, French, Spanish, Portuguese, Italian, Dutch, Polish and Turkish,
 * each with the customer's name, the amount, the due date and the payment link, and short
 * enough that a typical reminder with its opt-out line fits one SMS part: every character is
 * GSM-7 or in the language's national shift table (Spanish, Portuguese, Turkish; no ç in
 * French, no ê). Polish is written without diacritics, as Polish SMS usually are: ą, ć, ę, ł, ń,
 * ś, ź, ż have no GSM-7 code and one of them would send the whole message in UCS-2 at three
 * times the parts. test/dunning/default-templates.test.ts renders each with the demo's
 * customers and checks the one part.
 */
import type { PolicyDocument } from "./policy-schema.js";

const link = (label: string): string => `{{#paymentLink}} ${label}{{paymentLink}}{{/paymentLink}}`;

/** The final notice says the same for one invoice or several (the amount is the total). */
const FINAL_NOTICE = {
  en: `{{company}}: Final notice, {{firstName}}: {{amountDue}} unpaid since {{dueDate}}. Service stops unless paid within 7 days.${link("")}`,
  de: `{{company}}: Letzte Mahnung, {{name}}: {{amountDue}} seit {{dueDate}} offen. Ohne Zahlung in 7 Tagen folgt die Sperre.${link("")}`,
  fr: `{{company}} : Dernier rappel, {{name}} : {{amountDue}} échus le {{dueDate}}. Suspension si impayé sous 7 jours.${link("")}`,
  es: `{{company}}: Último aviso, {{firstName}}: {{amountDue}} vencidos el {{dueDate}}. Sin pago en 7 días: suspensión.${link("")}`,
  pt: `{{company}}: Último aviso, {{firstName}}: {{amountDue}} por pagar desde {{dueDate}}. Sem pagamento em 7 dias, suspensão.${link("")}`,
  it: `{{company}}: Ultimo avviso, {{name}}: {{amountDue}} scaduti il {{dueDate}}. Senza saldo in 7 giorni: sospensione.${link("")}`,
  nl: `{{company}}: Laatste aanmaning, {{name}}: {{amountDue}} open sinds {{dueDate}}. Zonder betaling in 7 dagen: afsluiting.${link("")}`,
  pl: `{{company}}: Ostatnie wezwanie, {{name}}: {{amountDue}} zalegle od {{dueDate}}. Bez wplaty w 7 dni zawiesimy usluge.${link("")}`,
  tr: `{{company}}: Son uyarı, {{name}}: {{amountDue}} (vade {{dueDate}}) ödenmedi. 7 günde ödenmezse hizmet durur.${link("")}`,
};

export const DEFAULT_POLICY: PolicyDocument = {
  name: "Built-in reminders",
  fallbackLocale: "en",
  defaultSequence: "standard",
  defaultTime: "10:00",
  expiresAfterHours: 36,
  sequences: {
    standard: {
      description: "Most customers: before, on and after the due date, then a final notice.",
      steps: [
        {
          id: "upcoming",
          offsetDays: -5,
          time: "10:00",
          template: "upcoming",
          consolidatedTemplate: "consolidated-upcoming",
        },
        {
          id: "due",
          offsetDays: 0,
          time: "10:00",
          template: "due-today",
          consolidatedTemplate: "consolidated-upcoming",
        },
        {
          id: "overdue-7",
          offsetDays: 7,
          time: "10:00",
          template: "overdue",
          consolidatedTemplate: "consolidated-overdue",
        },
        {
          id: "overdue-14",
          offsetDays: 14,
          time: "10:00",
          template: "second-notice",
          consolidatedTemplate: "consolidated-overdue",
          conditions: { minAmountDue: 500 },
        },
        {
          id: "final-30",
          offsetDays: 30,
          time: "10:00",
          template: "final",
          consolidatedTemplate: "consolidated-final",
          conditions: { minAmountDue: 500 },
          mark: "disconnect",
        },
      ],
    },
    gentle: {
      description: "VIP customers: two friendly notes, no escalation.",
      steps: [
        {
          id: "gentle-3",
          offsetDays: 3,
          time: "11:00",
          template: "gentle",
          consolidatedTemplate: "consolidated-overdue",
        },
        {
          id: "gentle-21",
          offsetDays: 21,
          time: "11:00",
          template: "gentle",
          consolidatedTemplate: "consolidated-overdue",
        },
      ],
    },
    firm: {
      description: "Strict segment: closer steps and an earlier hand-off.",
      steps: [
        {
          id: "upcoming",
          offsetDays: -3,
          time: "09:00",
          template: "upcoming",
          consolidatedTemplate: "consolidated-upcoming",
        },
        {
          id: "due",
          offsetDays: 0,
          time: "09:00",
          template: "due-today",
          consolidatedTemplate: "consolidated-upcoming",
        },
        {
          id: "overdue-3",
          offsetDays: 3,
          time: "09:00",
          template: "overdue",
          consolidatedTemplate: "consolidated-overdue",
        },
        {
          id: "overdue-7",
          offsetDays: 7,
          time: "09:00",
          template: "second-notice",
          consolidatedTemplate: "consolidated-overdue",
        },
        {
          id: "overdue-14",
          offsetDays: 14,
          time: "09:00",
          template: "second-notice",
          consolidatedTemplate: "consolidated-overdue",
        },
        {
          id: "final-21",
          offsetDays: 21,
          time: "09:00",
          template: "final",
          consolidatedTemplate: "consolidated-final",
          mark: "handoff",
        },
      ],
    },
    none: { description: "Exempt: never reminded by SMS.", steps: [] },
  },
  segments: { vip: "gentle", strict: "firm", exempt: "none" },
  optOutLine: {
    en: "Reply STOP to opt out.",
    de: "Abmelden mit STOP.",
    fr: "Désinscription : STOP.",
    es: "Baja: responda STOP.",
    pt: "Cancelar: envie STOP.",
    it: "Disiscrizione: STOP.",
    nl: "Afmelden: STOP.",
    pl: "Rezygnacja: STOP.",
    tr: "İptal için STOP yazın.",
  },
  templates: {
    upcoming: {
      en: `{{company}}: Hello {{firstName}}, a reminder that invoice {{invoiceNumbers}} for {{amountDue}} is due on {{dueDate}}.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, Ihre Rechnung über {{amountDue}} ist am {{dueDate}} fällig.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, votre facture de {{amountDue}} arrive à échéance le {{dueDate}}.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, le recordamos que su factura de {{amountDue}} vence el {{dueDate}}.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, lembramos que a sua fatura de {{amountDue}} vence a {{dueDate}}.${link("")}`,
      it: `{{company}}: Gentile {{name}}, Le ricordiamo che la fattura di {{amountDue}} scade il {{dueDate}}.${link("")}`,
      nl: `{{company}}: Beste {{name}}, ter herinnering: uw factuur van {{amountDue}} vervalt op {{dueDate}}.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, faktura na {{amountDue}} ma termin platnosci {{dueDate}}.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, {{amountDue}} tutarındaki faturanızın son ödeme tarihi {{dueDate}}.${link("")}`,
    },
    "due-today": {
      en: `{{company}}: Hello {{firstName}}, invoice {{invoiceNumbers}} for {{amountDue}} is due today ({{dueDate}}).${link("")} Thank you.`,
      de: `{{company}}: Guten Tag {{name}}, Ihre Rechnung über {{amountDue}} ist heute fällig ({{dueDate}}).${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, votre facture de {{amountDue}} est due ce jour ({{dueDate}}).${link("")}`,
      es: `{{company}}: Hola {{firstName}}, su factura de {{amountDue}} vence hoy ({{dueDate}}).${link("")} Gracias.`,
      pt: `{{company}}: Olá {{firstName}}, a sua fatura de {{amountDue}} vence hoje ({{dueDate}}).${link("")} Obrigado.`,
      it: `{{company}}: Gentile {{name}}, la fattura di {{amountDue}} scade oggi ({{dueDate}}).${link("")} Grazie.`,
      nl: `{{company}}: Beste {{name}}, uw factuur van {{amountDue}} vervalt vandaag ({{dueDate}}).${link("")} Dank u.`,
      pl: `{{company}}: Dzien dobry {{name}}, dzisiaj ({{dueDate}}) mija termin faktury na {{amountDue}}.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, {{amountDue}} tutarındaki faturanızın son günü bugün ({{dueDate}}).${link("")}`,
    },
    overdue: {
      en: `{{company}}: Hello {{firstName}}, invoice {{invoiceNumbers}} for {{amountDue}} (due {{dueDate}}) is still open. Please pay soon.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, Ihre Rechnung über {{amountDue}} (fällig am {{dueDate}}) ist noch offen.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, votre facture de {{amountDue}} échue le {{dueDate}} reste impayée. Merci.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, su factura de {{amountDue}} vencida el {{dueDate}} sigue pendiente.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, a sua fatura de {{amountDue}} vencida a {{dueDate}} está por pagar.${link("")}`,
      it: `{{company}}: Gentile {{name}}, la fattura di {{amountDue}} scaduta il {{dueDate}} è ancora aperta.${link("")}`,
      nl: `{{company}}: Beste {{name}}, uw factuur van {{amountDue}} (vervallen {{dueDate}}) staat nog open.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, faktura na {{amountDue}} (termin {{dueDate}}) jest nieoplacona.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, {{dueDate}} vadeli {{amountDue}} tutarındaki faturanız ödenmedi.${link("")}`,
    },
    "second-notice": {
      en: `{{company}}: Hello {{firstName}}, {{amountDue}} has been overdue since {{dueDate}}. Please pay within 7 days.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, {{amountDue}} sind seit {{dueDate}} überfällig. Bitte zahlen Sie binnen 7 Tagen.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, {{amountDue}} sont impayés depuis le {{dueDate}}. Merci de régler sous 7 jours.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, {{amountDue}} vencidos desde el {{dueDate}}. Le rogamos el pago en 7 días.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, o valor de {{amountDue}} está em atraso desde {{dueDate}}. Pedimos o pagamento em 7 dias.${link("")}`,
      it: `{{company}}: Gentile {{name}}, {{amountDue}} sono scaduti dal {{dueDate}}. La preghiamo di pagare entro 7 giorni.${link("")}`,
      nl: `{{company}}: Beste {{name}}, {{amountDue}} staat sinds {{dueDate}} open. Graag betaling binnen 7 dagen.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, {{amountDue}} zalegle od {{dueDate}}. Prosimy o wplate w ciagu 7 dni.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, {{amountDue}} (vade {{dueDate}}) gecikmede. Lütfen 7 gün içinde ödeyin.${link("")}`,
    },
    final: FINAL_NOTICE,
    gentle: {
      en: `{{company}}: Dear {{name}}, a gentle note: {{amountDue}} (due {{dueDate}}) still seems open. Questions? Just reply.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, {{amountDue}} (fällig am {{dueDate}}) scheinen noch offen. Fragen? Einfach antworten.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, {{amountDue}} (échéance {{dueDate}}) semblent impayés. Une question ? Répondez.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, {{amountDue}} (vencimiento {{dueDate}}) parecen pendientes. ¿Dudas? Responda.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, {{amountDue}} (vencimento {{dueDate}}) parecem estar por pagar. Dúvidas? Responda.${link("")}`,
      it: `{{company}}: Gentile {{name}}, {{amountDue}} (scadenza {{dueDate}}) risultano aperti. Domande? Ci risponda.${link("")}`,
      nl: `{{company}}: Beste {{name}}, {{amountDue}} (vervaldatum {{dueDate}}) lijkt nog open te staan. Vragen? Antwoord gerust.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, przypominamy o {{amountDue}} (termin {{dueDate}}). Pytania? Prosimy odpisac.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, {{dueDate}} vadeli {{amountDue}} ödenmemiş görünüyor. Sorunuz varsa yanıtlayın.${link("")}`,
    },
    "consolidated-upcoming": {
      en: `{{company}}: Hello {{firstName}}, {{invoiceCount}} invoices totalling {{amountDue}} are due, the first on {{dueDate}}.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, {{invoiceCount}} Rechnungen über {{amountDue}} werden fällig, die erste am {{dueDate}}.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, {{invoiceCount}} factures ({{amountDue}}) arrivent à échéance dès le {{dueDate}}.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, {{invoiceCount}} facturas por {{amountDue}} vencen, la primera el {{dueDate}}.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, {{invoiceCount}} faturas de {{amountDue}} vão vencer, a primeira a {{dueDate}}.${link("")}`,
      it: `{{company}}: Gentile {{name}}, {{invoiceCount}} fatture per {{amountDue}} sono in scadenza, la prima il {{dueDate}}.${link("")}`,
      nl: `{{company}}: Beste {{name}}, {{invoiceCount}} facturen ({{amountDue}}) vervallen binnenkort, de eerste op {{dueDate}}.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, faktury ({{invoiceCount}}) na {{amountDue}}: pierwszy termin {{dueDate}}.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, toplam {{amountDue}} olan {{invoiceCount}} faturanızın ilk vadesi {{dueDate}}.${link("")}`,
    },
    "consolidated-overdue": {
      en: `{{company}}: Hello {{firstName}}, {{invoiceCount}} invoices ({{invoiceNumbers}}) totalling {{amountDue}} have been open since {{dueDate}}.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, {{invoiceCount}} Rechnungen über {{amountDue}} sind offen, die älteste seit {{dueDate}}.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, {{invoiceCount}} factures ({{amountDue}}) restent impayées depuis le {{dueDate}}.${link("")}`,
      es: `{{company}}: Hola {{firstName}}, {{invoiceCount}} facturas por {{amountDue}} siguen pendientes desde el {{dueDate}}.${link("")}`,
      pt: `{{company}}: Olá {{firstName}}, {{invoiceCount}} faturas de {{amountDue}} estão por pagar desde {{dueDate}}.${link("")}`,
      it: `{{company}}: Gentile {{name}}, {{invoiceCount}} fatture per {{amountDue}} sono aperte dal {{dueDate}}.${link("")}`,
      nl: `{{company}}: Beste {{name}}, {{invoiceCount}} facturen ({{amountDue}}) staan open sinds {{dueDate}}.${link("")}`,
      pl: `{{company}}: Dzien dobry {{name}}, faktury ({{invoiceCount}}) na {{amountDue}} sa nieoplacone od {{dueDate}}.${link("")}`,
      tr: `{{company}}: Sayın {{name}}, toplam {{amountDue}} olan {{invoiceCount}} faturanız {{dueDate}} tarihinden beri ödenmedi.${link("")}`,
    },
    "consolidated-final": FINAL_NOTICE,
  },
};
