/**
 * Rendering a reminder: the view (variables formatted for the account's locale and
 * currency), the template for the locale, the opt-out line. Mustache with HTML escaping off:
 * an SMS is not HTML, and "&amp;" would cost five characters.
 */
import Mustache from "mustache";
import type { Account, Invoice } from "../ledger/types.js";
import { dayNumber } from "../ledger/dates.js";
import type { PolicyDocument } from "./policy-schema.js";
import type { TemplateVariable } from "./template-variables.js";

export type TemplateView = Record<TemplateVariable, string | number>;

const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * Intl puts NO-BREAK SPACE (U+00A0) or NARROW NO-BREAK SPACE (U+202F) between digits and
 * currency in de, fr and others. Neither is in the GSM 7-bit alphabet (3GPP TS 23.038 6.2.1):
 * one of them would turn the whole message into UCS-2 and double its parts. A plain space reads the same.
 */
function plainSpaces(s: string): string {
  return s.replace(/[\u00a0\u202f\u2009]/g, " ");
}

export function formatMoney(minor: number, currency: string, locale: string): string {
  const key = `${locale}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    let format: Intl.NumberFormat;
    try {
      format = new Intl.NumberFormat(locale, { style: "currency", currency });
    } catch {
      format = new Intl.NumberFormat("en", { style: "currency", currency });
    }
    f = { format, digits: format.resolvedOptions().maximumFractionDigits ?? 2 };
    moneyFormats.set(key, f);
  }
  // Display only: the integer minor amount is scaled once for Intl, never used for arithmetic.
  return plainSpaces(f.format.format(minor / 10 ** f.digits));
}

const formattedDates = new Map<string, string>();

/** Memoised: a day's reminders share a handful of due dates, and Intl formatting costs microseconds each. */
export function formatDate(date: string, locale: string): string {
  const key = `${locale}|${date}`;
  const hit = formattedDates.get(key);
  if (hit !== undefined) return hit;
  const out = formatDateUncached(date, locale);
  if (formattedDates.size > 20_000) formattedDates.clear();
  formattedDates.set(key, out);
  return out;
}

function formatDateUncached(date: string, locale: string): string {
  let f = dateFormats.get(locale);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
    } catch {
      f = new Intl.DateTimeFormat("en", { dateStyle: "medium", timeZone: "UTC" });
    }
    dateFormats.set(locale, f);
  }
  return plainSpaces(f.format(new Date(`${date}T12:00:00Z`)));
}

export interface ViewInput {
  account: Pick<Account, "name" | "locale">;
  invoices: ReadonlyArray<Pick<Invoice, "number" | "amountDue" | "dueDate" | "paymentLink">>;
  currency: string;
  /** Everything the account owes in this currency. */
  balance: number;
  /** Day number of today in the account's zone. */
  today: number;
  company: string;
  gatewayNumber: string;
}

export function buildView(v: ViewInput): TemplateView {
  const locale = v.account.locale;
  let earliest = v.invoices[0]?.dueDate ?? "1970-01-01";
  let due = 0;
  for (const i of v.invoices) {
    due += i.amountDue;
    if (i.dueDate < earliest) earliest = i.dueDate;
  }
  const amountDue = formatMoney(due, v.currency, locale);
  return {
    name: v.account.name,
    firstName: v.account.name.split(/\s+/)[0] ?? v.account.name,
    balance: v.balance === due ? amountDue : formatMoney(v.balance, v.currency, locale),
    amountDue,
    dueDate: formatDate(earliest, locale),
    daysOverdue: Math.max(0, v.today - dayNumber(earliest)),
    invoiceNumbers: v.invoices.map((i) => i.number).join(", "),
    invoiceCount: v.invoices.length,
    paymentLink: v.invoices.find((i) => i.paymentLink)?.paymentLink ?? "",
    company: v.company,
    gatewayNumber: v.gatewayNumber,
  };
}

/** The text for a locale: "de-AT" falls back to "de", then to the policy's fallback locale. */
export function pickLocale<T>(texts: Record<string, T>, locale: string, fallback: string): { locale: string; value: T } | undefined {
  const lang = locale.split("-")[0]!;
  for (const l of [locale, lang, fallback]) {
    const value = texts[l];
    if (value !== undefined) return { locale: l, value };
  }
  return undefined;
}

const HAS_OPT_OUT = /\bSTOP\b/;

export function renderText(template: string, view: Partial<TemplateView>): string {
  const text = Mustache.render(template, view, {}, { escape: (s: unknown) => String(s) });
  return text.replace(/[ \t]{2,}/g, " ").replace(/ +([.,!?])/g, (m, p: string) => (p === "!" || p === "?" ? m : p)).trim();
}

export interface RenderedReminder {
  text: string;
  locale: string;
  optOutAppended: boolean;
}

/** Renders a template of the policy for a view; appends the localised opt-out line unless present or switched off. */
export function renderTemplate(policy: PolicyDocument, templateId: string, locale: string, view: TemplateView, appendOptOut: boolean): RenderedReminder {
  const texts = policy.templates[templateId];
  const picked = texts ? pickLocale(texts, locale, policy.fallbackLocale) : undefined;
  if (!picked) throw new Error(`template "${templateId}" has no text for ${locale} or ${policy.fallbackLocale}`);
  let text = renderText(picked.value, view);
  let optOutAppended = false;
  if (appendOptOut && !HAS_OPT_OUT.test(text)) {
    const line = pickLocale(policy.optOutLine, picked.locale, policy.fallbackLocale);
    if (line) {
      text = `${text} ${line.value}`;
      optOutAppended = true;
    }
  }
  return { text, locale: picked.locale, optOutAppended };
}
