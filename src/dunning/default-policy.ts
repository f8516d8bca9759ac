/**
 * The built-in policy: what an appliance does out of the box. It reads like a polite company:
 * a reminder before the due date, one on the day, two after it and a final notice that marks
 * the account for suspension. VIPs get two gentle notes, a strict segment more and firmer
 * ones, an exempt segment nothing. Every text stays within GSM-7 (no ç, ê, curly quotes), so a
 * message costs one or two parts, not three UCS-2 ones.
 */
import type { PolicyDocument } from "./policy-schema.js";

const link = (label: string): string => `{{#paymentLink}} ${label}{{paymentLink}}{{/paymentLink}}`;

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
        { id: "upcoming", offsetDays: -5, time: "10:00", template: "upcoming", consolidatedTemplate: "consolidated-upcoming" },
        { id: "due", offsetDays: 0, time: "10:00", template: "due-today", consolidatedTemplate: "consolidated-upcoming" },
        { id: "overdue-7", offsetDays: 7, time: "10:00", template: "overdue", consolidatedTemplate: "consolidated-overdue" },
        { id: "overdue-14", offsetDays: 14, time: "10:00", template: "second-notice", consolidatedTemplate: "consolidated-overdue", conditions: { minAmountDue: 500 } },
        { id: "final-30", offsetDays: 30, time: "10:00", template: "final", consolidatedTemplate: "consolidated-final", conditions: { minAmountDue: 500 }, mark: "disconnect" },
      ],
    },
    gentle: {
      description: "VIP customers: two friendly notes, no escalation.",
      steps: [
        { id: "gentle-3", offsetDays: 3, time: "11:00", template: "gentle", consolidatedTemplate: "consolidated-overdue" },
        { id: "gentle-21", offsetDays: 21, time: "11:00", template: "gentle", consolidatedTemplate: "consolidated-overdue" },
      ],
    },
    firm: {
      description: "Strict segment: closer steps and an earlier hand-off.",
      steps: [
        { id: "upcoming", offsetDays: -3, time: "09:00", template: "upcoming", consolidatedTemplate: "consolidated-upcoming" },
        { id: "due", offsetDays: 0, time: "09:00", template: "due-today", consolidatedTemplate: "consolidated-upcoming" },
        { id: "overdue-3", offsetDays: 3, time: "09:00", template: "overdue", consolidatedTemplate: "consolidated-overdue" },
        { id: "overdue-7", offsetDays: 7, time: "09:00", template: "second-notice", consolidatedTemplate: "consolidated-overdue" },
        { id: "overdue-14", offsetDays: 14, time: "09:00", template: "second-notice", consolidatedTemplate: "consolidated-overdue" },
        { id: "final-21", offsetDays: 21, time: "09:00", template: "final", consolidatedTemplate: "consolidated-final", mark: "handoff" },
      ],
    },
    none: { description: "Exempt: never reminded by SMS.", steps: [] },
  },
  segments: { vip: "gentle", strict: "firm", exempt: "none" },
  optOutLine: {
    en: "Reply STOP to opt out.",
    de: "Abmelden: STOP antworten.",
    fr: "Répondez STOP pour vous désabonner.",
  },
  templates: {
    upcoming: {
      en: `{{company}}: Hello {{firstName}}, a friendly reminder that invoice {{invoiceNumbers}} for {{amountDue}} is due on {{dueDate}}.${link("Pay online: ")} If you have already paid, thank you.`,
      de: `{{company}}: Guten Tag {{name}}, zur Erinnerung: Die Rechnung {{invoiceNumbers}} über {{amountDue}} ist am {{dueDate}} fällig.${link("Online bezahlen: ")} Falls bereits bezahlt, vielen Dank.`,
      fr: `{{company}} : Bonjour {{name}}, petit rappel : la facture {{invoiceNumbers}} de {{amountDue}} arrive à échéance le {{dueDate}}.${link("Payer en ligne : ")} Si vous avez déjà payé, merci.`,
    },
    "due-today": {
      en: `{{company}}: Hello {{firstName}}, invoice {{invoiceNumbers}} for {{amountDue}} is due today.${link("Pay online: ")} Thank you.`,
      de: `{{company}}: Guten Tag {{name}}, die Rechnung {{invoiceNumbers}} über {{amountDue}} ist heute fällig.${link("Online bezahlen: ")} Vielen Dank.`,
      fr: `{{company}} : Bonjour {{name}}, la facture {{invoiceNumbers}} de {{amountDue}} arrive à échéance aujourd'hui.${link("Payer en ligne : ")} Merci.`,
    },
    overdue: {
      en: `{{company}}: Hello {{firstName}}, invoice {{invoiceNumbers}} ({{amountDue}}, due {{dueDate}}) is still open. Please pay at your earliest convenience.${link("")} Already paid? Please ignore this message.`,
      de: `{{company}}: Guten Tag {{name}}, die Rechnung {{invoiceNumbers}} ({{amountDue}}, fällig am {{dueDate}}) ist noch offen. Bitte überweisen Sie den Betrag zeitnah.${link("")} Bereits bezahlt? Dann ist diese Nachricht gegenstandslos.`,
      fr: `{{company}} : Bonjour {{name}}, la facture {{invoiceNumbers}} ({{amountDue}}, échue le {{dueDate}}) reste impayée. Merci de la régler dans les meilleurs délais.${link("")} Déjà payé ? Merci d'ignorer ce message.`,
    },
    "second-notice": {
      en: `{{company}}: Invoice {{invoiceNumbers}} for {{amountDue}} is {{daysOverdue}} days overdue. Please pay within 7 days, or reply if there is a problem.${link("")}`,
      de: `{{company}}: Zahlungserinnerung: Die Rechnung {{invoiceNumbers}} über {{amountDue}} ist seit {{daysOverdue}} Tagen überfällig. Bitte zahlen Sie innerhalb von 7 Tagen oder antworten Sie bei Problemen.${link("")}`,
      fr: `{{company}} : La facture {{invoiceNumbers}} de {{amountDue}} est en retard de {{daysOverdue}} jours. Merci de payer sous 7 jours, ou de nous répondre en cas de difficulté.${link("")}`,
    },
    final: {
      en: `{{company}}: Final notice. Invoice {{invoiceNumbers}} ({{amountDue}}) is unpaid after {{daysOverdue}} days. Without payment within 7 days we will have to suspend the service.${link("")}`,
      de: `{{company}}: Letzte Mahnung. Die Rechnung {{invoiceNumbers}} ({{amountDue}}) ist seit {{daysOverdue}} Tagen unbezahlt. Ohne Zahlung innerhalb von 7 Tagen müssen wir den Dienst leider sperren.${link("")}`,
      fr: `{{company}} : Dernier rappel. La facture {{invoiceNumbers}} ({{amountDue}}) reste impayée depuis {{daysOverdue}} jours. Sans paiement sous 7 jours, nous devrons suspendre le service.${link("")}`,
    },
    gentle: {
      en: `{{company}}: Dear {{name}}, a gentle note that invoice {{invoiceNumbers}} for {{amountDue}} (due {{dueDate}}) still appears open. If anything is unclear, just reply. Thank you!`,
      de: `{{company}}: Guten Tag {{name}}, ein kurzer Hinweis: Die Rechnung {{invoiceNumbers}} über {{amountDue}} (fällig am {{dueDate}}) scheint noch offen. Bei Fragen antworten Sie einfach. Vielen Dank!`,
      fr: `{{company}} : Bonjour {{name}}, un simple rappel : la facture {{invoiceNumbers}} de {{amountDue}} (échéance le {{dueDate}}) semble encore ouverte. Une question ? Répondez simplement. Merci !`,
    },
    "consolidated-upcoming": {
      en: `{{company}}: Hello {{firstName}}, {{invoiceCount}} invoices ({{invoiceNumbers}}) totalling {{amountDue}} are due, the first on {{dueDate}}.${link("Pay online: ")} Thank you.`,
      de: `{{company}}: Guten Tag {{name}}, {{invoiceCount}} Rechnungen ({{invoiceNumbers}}) über insgesamt {{amountDue}} werden fällig, die erste am {{dueDate}}.${link("Online bezahlen: ")} Vielen Dank.`,
      fr: `{{company}} : Bonjour {{name}}, {{invoiceCount}} factures ({{invoiceNumbers}}) d'un total de {{amountDue}} arrivent à échéance, la première le {{dueDate}}.${link("Payer en ligne : ")} Merci.`,
    },
    "consolidated-overdue": {
      en: `{{company}}: Hello {{firstName}}, {{invoiceCount}} invoices ({{invoiceNumbers}}) totalling {{amountDue}} are open, the oldest due {{dueDate}}. Please pay at your earliest convenience.${link("")}`,
      de: `{{company}}: Guten Tag {{name}}, {{invoiceCount}} Rechnungen ({{invoiceNumbers}}) über insgesamt {{amountDue}} sind offen, die älteste seit {{dueDate}}. Bitte überweisen Sie zeitnah.${link("")}`,
      fr: `{{company}} : Bonjour {{name}}, {{invoiceCount}} factures ({{invoiceNumbers}}) d'un total de {{amountDue}} restent impayées, la plus ancienne depuis le {{dueDate}}. Merci de les régler rapidement.${link("")}`,
    },
    "consolidated-final": {
      en: `{{company}}: Final notice. {{invoiceCount}} invoices totalling {{amountDue}} are unpaid, the oldest for {{daysOverdue}} days. Without payment within 7 days we will have to suspend the service.${link("")}`,
      de: `{{company}}: Letzte Mahnung. {{invoiceCount}} Rechnungen über insgesamt {{amountDue}} sind unbezahlt, die älteste seit {{daysOverdue}} Tagen. Ohne Zahlung innerhalb von 7 Tagen müssen wir den Dienst leider sperren.${link("")}`,
      fr: `{{company}} : Dernier rappel. {{invoiceCount}} factures d'un total de {{amountDue}} restent impayées, la plus ancienne depuis {{daysOverdue}} jours. Sans paiement sous 7 jours, nous devrons suspendre le service.${link("")}`,
    },
  },
};
