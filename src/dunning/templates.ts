/**
 * Rendering a reminder: the view (variables formatted for the account's locale and
 * currency), the template for the locale, the opt-out line. Mustache with HTML escaping off:
 * an SMS is not HTML, and "&amp;" would cost five characters.
 */
import type { Account, Invoice } from "../ledger/types.js";
import { dayNumber } from "../core/calendar.js";
import type { PolicyDocument } from "./policy-schema.js";
import type { TemplateVariable } from "./template-variables.js";
import { CompiledTemplate } from "./compiled-template.js";
import { formatMoney, plainSpaces } from "../core/money.js";

export type TemplateView = Record<TemplateVariable, string | number>;

const dateFormats = new Map<string, Intl.DateTimeFormat>();

export { formatMoney };

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

/** name.split(/\s+/)[0] without the array. */
function firstWord(name: string): string {
  const end = name.search(/\s/);
  return end < 0 ? name : name.slice(0, end);
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
    firstName: firstWord(v.account.name),
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
export function pickLocale<T>(
  texts: Record<string, T>,
  locale: string,
  fallback: string,
): { locale: string; value: T } | undefined {
  const lang = locale.split("-")[0]!;
  for (const l of [locale, lang, fallback]) {
    const value = texts[l];
    if (value !== undefined) return { locale: l, value };
  }
  return undefined;
}

const HAS_OPT_OUT = /\bSTOP\b/;

const compiledBySource = new Map<string, CompiledTemplate>();

/** Compiled once per template text (previews may render texts not in any policy: bounded). */
function compiled(template: string): CompiledTemplate {
  let c = compiledBySource.get(template);
  if (!c) {
    if (compiledBySource.size >= 2_000) compiledBySource.clear();
    compiledBySource.set(template, (c = new CompiledTemplate(template)));
  }
  return c;
}

export function renderText(template: string, view: Partial<TemplateView>): string {
  return tidy(compiled(template).render(view));
}

/** Only texts with a double space, a tab or a space before "." or "," need the replacements (most have none). */
const NEEDS_TIDY = /[ \t]{2}| [.,]/;

function tidy(text: string): string {
  if (!NEEDS_TIDY.test(text)) return text.trim();
  return text
    .replace(/[ \t]{2,}/g, " ")
    .replace(/ +([.,!?])/g, (m, p: string) => (p === "!" || p === "?" ? m : p))
    .trim();
}

export interface RenderedReminder {
  text: string;
  locale: string;
  optOutAppended: boolean;
}

/** A template picked for a locale, with its opt-out line: looked up once per policy, template and locale. */
interface PickedTemplate {
  texts: Record<string, string> | undefined;
  locale: string;
  template: CompiledTemplate;
  optOutLine: string | undefined;
}

// Keyed by the policy object: a saved policy is a new object (PolicyStore clones), never edited in place.
const picks = new WeakMap<PolicyDocument, Map<string, PickedTemplate>>();

function pickTemplate(policy: PolicyDocument, templateId: string, locale: string): PickedTemplate {
  let byKey = picks.get(policy);
  if (!byKey) picks.set(policy, (byKey = new Map()));
  const key = `${templateId}\u0000${locale}`;
  const texts = policy.templates[templateId];
  const hit = byKey.get(key);
  if (hit && hit.texts === texts) return hit;
  const picked = texts ? pickLocale(texts, locale, policy.fallbackLocale) : undefined;
  if (!picked) throw new Error(`template "${templateId}" has no text for ${locale} or ${policy.fallbackLocale}`);
  const line = pickLocale(policy.optOutLine, picked.locale, policy.fallbackLocale);
  const entry: PickedTemplate = {
    texts,
    locale: picked.locale,
    template: compiled(picked.value),
    optOutLine: line?.value,
  };
  if (byKey.size >= 1_000) byKey.clear();
  byKey.set(key, entry);
  return entry;
}

/** Renders a template of the policy for a view; appends the localised opt-out line unless present or switched off. */
export function renderTemplate(
  policy: PolicyDocument,
  templateId: string,
  locale: string,
  view: TemplateView,
  appendOptOut: boolean,
): RenderedReminder {
  const picked = pickTemplate(policy, templateId, locale);
  let text = tidy(picked.template.render(view));
  let optOutAppended = false;
  if (appendOptOut && picked.optOutLine !== undefined && !HAS_OPT_OUT.test(text)) {
    text = `${text} ${picked.optOutLine}`;
    optOutAppended = true;
  }
  return { text, locale: picked.locale, optOutAppended };
}
