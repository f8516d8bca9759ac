import type { AccountInput, InvoiceInput } from "../ledger/types.js";
import { addDays, localDate } from "../core/calendar.js";

/**
 * Sample customers of a security-alarm company for `duegate demo`, in nine countries, each in
 * its own language and time zone, with invoices placed relative to today so that the story
 * shows at any hour (see OFFSETS). Numbers are made up (libphonenumber must accept them, so
 * the fiction ranges do not do).
 */
export interface SampleLocale {
  locale: string;
  timeZone: string;
  currency: string;
  phone: (i: number) => string;
  /** Customer names as they are written in the country. */
  names: readonly string[];
}

/*
 * Polish and Turkish customers are billed in euros: "zł" and "₺" are outside the GSM 7-bit
 * alphabet and its national tables, and one of them would send the whole reminder in UCS-2 at
 * two to three times the parts. Polish names are ones written without diacritics for the same reason.
 */
export const SAMPLE_LOCALES: readonly SampleLocale[] = [
  {
    locale: "de-DE",
    timeZone: "Europe/Berlin",
    currency: "EUR",
    phone: (i) => `+4915123${String(450000 + i).padStart(6, "0")}`,
    names: ["Anna Schmidt", "Jonas Weber", "Greta Vogel", "Lukas Brandt", "Mia Köhler"],
  },
  {
    locale: "en-GB",
    timeZone: "Europe/London",
    currency: "GBP",
    phone: (i) => `+447911${String(123000 + i).padStart(6, "0")}`,
    names: ["Emma Clarke", "Oliver Bennett", "Amelia Hughes", "Harry Walsh", "Kira O'Brien"],
  },
  {
    locale: "es-ES",
    timeZone: "Europe/Madrid",
    currency: "EUR",
    phone: (i) => `+34${612000000 + i}`,
    names: ["Lucía García", "Mateo Fernández", "Sofía Ruiz", "Pablo Muñoz", "Inés Navarro"],
  },
  {
    locale: "fr-FR",
    timeZone: "Europe/Paris",
    currency: "EUR",
    phone: (i) => `+33${612300000 + i}`,
    names: ["Claire Dubois", "Hugo Lefèvre", "Léa Martin", "Louis Moreau", "Chloé Garnier"],
  },
  {
    locale: "it-IT",
    timeZone: "Europe/Rome",
    currency: "EUR",
    phone: (i) => `+39${3471000000 + i}`,
    names: ["Giulia Rossi", "Marco Bianchi", "Chiara Romano", "Luca Ricci", "Sara Colombo"],
  },
  {
    locale: "nl-NL",
    timeZone: "Europe/Amsterdam",
    currency: "EUR",
    phone: (i) => `+31${612000000 + i}`,
    names: ["Sanne de Vries", "Daan Jansen", "Lotte Bakker", "Bram Visser", "Femke Smit"],
  },
  {
    locale: "pl-PL",
    timeZone: "Europe/Warsaw",
    currency: "EUR",
    phone: (i) => `+48${512000000 + i}`,
    names: ["Piotr Nowak", "Anna Kowalska", "Tomasz Mazur", "Ewa Krawczyk", "Marek Kaczmarek"],
  },
  {
    locale: "pt-PT",
    timeZone: "Europe/Lisbon",
    currency: "EUR",
    phone: (i) => `+351${912000000 + i}`,
    names: ["João Silva", "Inês Costa", "Tiago Santos", "Beatriz Rocha", "Rui Gonçalves"],
  },
  {
    locale: "tr-TR",
    timeZone: "Europe/Istanbul",
    currency: "EUR",
    phone: (i) => `+90${5321000000 + i}`,
    names: ["Ayşe Yılmaz", "Mehmet Demir", "Zeynep Kaya", "Emre Şahin", "Elif Çelik"],
  },
];

/**
 * Days from the due date to today, against the default policy's steps (-5, 0, 7, 14, 30;
 * strict -3, 0, 3, 7, 14, 21; VIP 3, 21). A step whose day was yesterday is due at any hour
 * (the planner sends a step missed by up to `dunning.graceDays` at once), so -4, 1, 8, 15 and
 * 31 put reminders out within a minute of start even at 05:00; 0 and 7 go at today's step time
 * or at once when it has passed; -6 and 13 are tomorrow's; -12 and 45 show the quiet ones
 * (too early, and past the final notice).
 */
const OFFSETS = [-4, 0, 8, -6, 1, 15, 7, 31, 13, -12, 45];

export function sampleLedger(count: number, now: number): { accounts: AccountInput[]; invoices: InvoiceInput[] } {
  const accounts: AccountInput[] = [];
  const invoices: InvoiceInput[] = [];
  for (let i = 0; i < count; i++) {
    const loc = SAMPLE_LOCALES[i % SAMPLE_LOCALES.length]!;
    const id = `CUST-${String(1001 + i)}`;
    const segment = i % 10 === 9 ? "vip" : i % 7 === 6 ? "strict" : undefined;
    accounts.push({
      id,
      version: 1,
      name: loc.names[Math.floor(i / SAMPLE_LOCALES.length) % loc.names.length]!,
      phones: [loc.phone(i)],
      locale: loc.locale,
      timeZone: loc.timeZone,
      currency: loc.currency,
      ...(segment ? { segment } : {}),
      tags: i % 4 === 0 ? ["alarm-monitoring"] : ["alarm-monitoring", "maintenance"],
    });
    const today = localDate(now, loc.timeZone);
    const offset = OFFSETS[i % OFFSETS.length]!;
    const dueDate = addDays(today, -offset);
    const amount = 2990 + ((i * 1337) % 9000);
    invoices.push({
      id: `INV-2026-${String(5000 + i)}`,
      version: 1,
      accountId: id,
      number: `RE-${String(5000 + i)}`,
      amount,
      currency: loc.currency,
      issueDate: addDays(dueDate, -14),
      dueDate,
      status: "open",
      paymentLink: `https://pay.example/${5000 + i}`,
      directDebit: i % 11 === 5,
    });
    if (i % 5 === 2) {
      // A second, older invoice: the consolidated message shows the total.
      invoices.push({
        id: `INV-2026-${String(4000 + i)}`,
        version: 1,
        accountId: id,
        number: `RE-${String(4000 + i)}`,
        amount: 1990,
        currency: loc.currency,
        issueDate: addDays(dueDate, -44),
        dueDate: addDays(dueDate, -30),
        status: "open",
        paymentLink: `https://pay.example/${4000 + i}`,
      });
    }
  }
  return { accounts, invoices };
}
