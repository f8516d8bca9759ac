import type { AccountInput, InvoiceInput } from "../ledger/types.js";
import { addDays, localDate } from "../core/calendar.js";

/**
 * Sample customers of a security-alarm company for `duegate demo`: invoices due at the
 * offsets of the default policy, relative to today, so that reminders go out at once.
 * Numbers are made up (libphonenumber must accept them, so the fiction ranges do not do).
 */
const FIRST = ["Anna", "Ben", "Clara", "David", "Emma", "Felix", "Greta", "Hugo", "Ida", "Jonas", "Kira", "Lukas", "Mia", "Noah", "Olga", "Paul", "Rosa", "Sven", "Tara", "Umut"];
const LAST = ["Schmidt", "Meyer", "Okafor", "Novak", "García", "Silva", "Yılmaz", "O'Brien", "Dubois", "Rossi"];
const LOCALES: Array<{ locale: string; timeZone: string; currency: string; phone: (i: number) => string }> = [
  { locale: "de-DE", timeZone: "Europe/Berlin", currency: "EUR", phone: (i) => `+4915123${String(450000 + i).padStart(6, "0")}` },
  { locale: "en-GB", timeZone: "Europe/London", currency: "GBP", phone: (i) => `+447911${String(123000 + i).padStart(6, "0")}` },
  { locale: "es-ES", timeZone: "Europe/Madrid", currency: "EUR", phone: (i) => `+3461${String(2000000 + i).padStart(7, "0")}` },
];
/** Offsets (days from due date to today) that hit the default policy's steps. */
const OFFSETS = [-5, 0, 7, 14, 30, -12, 3, 45];

export function sampleLedger(count: number, now: number): { accounts: AccountInput[]; invoices: InvoiceInput[] } {
  const accounts: AccountInput[] = [];
  const invoices: InvoiceInput[] = [];
  for (let i = 0; i < count; i++) {
    const loc = LOCALES[i % LOCALES.length]!;
    const id = `CUST-${String(1001 + i)}`;
    const segment = i % 10 === 9 ? "vip" : i % 7 === 6 ? "strict" : undefined;
    accounts.push({
      id,
      version: 1,
      name: `${FIRST[i % FIRST.length]} ${LAST[(i * 7) % LAST.length]}`,
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
      paymentLink: `https://pay.example.com/i/${5000 + i}`,
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
        paymentLink: `https://pay.example.com/i/${4000 + i}`,
      });
    }
  }
  return { accounts, invoices };
}
