/**
 * The edge of the ledger: turns what the accounting server sent into records, or says per
 * record and field what was refused and why. Nothing here throws on bad input.
 */
import { toE164 } from "../core/phone.js";
import { checkEmailAddress } from "../core/email-address.js";
import { isLocalDate, isTimeZone } from "./dates.js";
import { CHANNEL_PREFERENCES, type ChannelPreference, type InvoiceStatus, type RefusedRecord } from "./types.js";

export interface LedgerDefaults {
  region: string;
  locale: string;
  currency: string;
  timeZone: string;
}

export interface NormalisedAccount {
  id: string;
  version: number;
  name: string;
  phones: string[];
  emails: string[];
  channel: ChannelPreference;
  locale: string;
  timeZone?: string;
  currency: string;
  segment?: string;
  tags: string[];
  noReminders: boolean;
  notes?: string;
}

export interface NormalisedInvoice {
  id: string;
  version: number;
  accountId: string;
  number: string;
  amount: number;
  amountDue: number;
  currency: string;
  issueDate: string;
  dueDate: string;
  status: InvoiceStatus;
  paymentLink?: string;
  directDebit: boolean;
  noReminders: boolean;
  externalRefs?: Record<string, string>;
}

export interface NormalisedPayment {
  id: string;
  accountId?: string;
  invoiceId?: string;
  amount: number;
  currency?: string;
  date: string;
}

type Result<T> = { ok: true; value: T } | { ok: false; refused: RefusedRecord[] };

const ID = /^[A-Za-z0-9._:@/-]{1,64}$/;
const CURRENCY = /^[A-Z]{3}$/;
const STATUSES: readonly InvoiceStatus[] = ["open", "paid", "void", "disputed"];
const MAX_MINOR = Number.MAX_SAFE_INTEGER;

class Collector {
  readonly refused: RefusedRecord[] = [];
  constructor(
    private readonly index: number,
    private readonly id: string | undefined,
  ) {}
  add(field: string, reason: string, code = "invalid"): void {
    this.refused.push({ index: this.index, ...(this.id !== undefined ? { id: this.id } : {}), field, code, reason });
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function idOf(raw: unknown): string | undefined {
  return isObject(raw) && typeof raw.id === "string" ? raw.id : undefined;
}

function checkId(c: Collector, raw: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) {
    if (required) c.add(field, `${field} is required`, "missing");
    return undefined;
  }
  if (typeof v !== "string" || !ID.test(v)) {
    c.add(field, `${field} must be 1-64 characters of letters, digits and . _ : @ / -`);
    return undefined;
  }
  return v;
}

function checkVersion(c: Collector, raw: Record<string, unknown>): number {
  const v = raw.version;
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < 0) {
    c.add("version", "version must be a non-negative integer (the sender's revision or its updatedAt in ms)", v === undefined ? "missing" : "invalid");
    return 0;
  }
  return v;
}

function checkMinor(c: Collector, raw: Record<string, unknown>, field: string, required: boolean): number | undefined {
  const v = raw[field];
  if (v === undefined || v === null) {
    if (required) c.add(field, `${field} is required (integer minor units, e.g. cents)`, "missing");
    return undefined;
  }
  if (typeof v !== "number" || !Number.isInteger(v)) {
    c.add(field, `${field} must be an integer in minor units (cents), got ${JSON.stringify(v)}`);
    return undefined;
  }
  if (v < 0 || v > MAX_MINOR) {
    c.add(field, `${field} must be between 0 and ${MAX_MINOR}`);
    return undefined;
  }
  return v;
}

function checkDate(c: Collector, raw: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) {
    if (required) c.add(field, `${field} is required (YYYY-MM-DD)`, "missing");
    return undefined;
  }
  if (!isLocalDate(v)) {
    c.add(field, `${field} must be a calendar date YYYY-MM-DD, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

function optString(c: Collector, raw: Record<string, unknown>, field: string, max: number): string | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string" || v.length > max) {
    c.add(field, `${field} must be a string of at most ${max} characters`);
    return undefined;
  }
  return v;
}

function optBool(c: Collector, raw: Record<string, unknown>, field: string): boolean | undefined {
  const v = raw[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "boolean") {
    c.add(field, `${field} must be true or false`);
    return undefined;
  }
  return v;
}

function checkCurrency(c: Collector, raw: Record<string, unknown>, fallback: string | undefined): string | undefined {
  const v = raw.currency;
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "string" || !CURRENCY.test(v)) {
    c.add("currency", `currency must be an ISO 4217 code such as "EUR", got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

export function validateAccount(raw: unknown, index: number, d: LedgerDefaults): Result<NormalisedAccount> {
  const c = new Collector(index, idOf(raw));
  if (!isObject(raw)) {
    c.add("", "an account must be a JSON object");
    return { ok: false, refused: c.refused };
  }
  const id = checkId(c, raw, "id", true);
  const version = checkVersion(c, raw);
  const name = raw.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > 200) c.add("name", "name must be a non-empty string of at most 200 characters", name === undefined ? "missing" : "invalid");
  const rawPhones = typeof raw.phones === "string" ? [raw.phones] : (raw.phones ?? []);
  const rawEmails = typeof raw.emails === "string" ? [raw.emails] : (raw.emails ?? []);
  const phones: string[] = [];
  const emails: string[] = [];
  if (!Array.isArray(rawEmails)) c.add("emails", "emails must be an address or a list of addresses");
  else if (rawEmails.length > 5) c.add("emails", "at most 5 e-mail addresses per account");
  else
    rawEmails.forEach((e, i) => {
      const r = checkEmailAddress(e);
      if (!r.ok) c.add(`emails[${i}]`, `emails[${i}] is ${r.reason}`, "invalid_email");
      else if (!emails.includes(r.address)) emails.push(r.address);
    });
  let channel: ChannelPreference = "sms";
  if (raw.channel !== undefined && raw.channel !== null) {
    if (!CHANNEL_PREFERENCES.includes(raw.channel as ChannelPreference)) c.add("channel", `channel must be one of ${CHANNEL_PREFERENCES.join(", ")}, got ${JSON.stringify(raw.channel)}`);
    else channel = raw.channel as ChannelPreference;
  }
  if (!Array.isArray(rawPhones)) c.add("phones", "phones must be a number or a list of numbers");
  else if (rawPhones.length === 0 && (!Array.isArray(rawEmails) || rawEmails.length === 0)) c.add("phones", "an account needs a phone number or an e-mail address (phones or emails)", "missing");
  else if (rawPhones.length > 10) c.add("phones", "at most 10 phone numbers per account");
  else
    rawPhones.forEach((p, i) => {
      // The rule for storing is the rule for sending (src/core/phone.ts): every stored number is sendable.
      const r = toE164(p, d.region);
      if (!r.ok) c.add(`phones[${i}]`, `phones[${i}] is ${r.reason}`, "invalid_number");
      else if (!phones.includes(r.e164)) phones.push(r.e164);
    });
  let locale = d.locale;
  if (raw.locale !== undefined && raw.locale !== null) {
    try {
      if (typeof raw.locale !== "string") throw new Error("not a string");
      locale = Intl.getCanonicalLocales(raw.locale)[0] ?? d.locale;
    } catch {
      c.add("locale", `locale must be a BCP 47 tag such as "de-DE", got ${JSON.stringify(raw.locale)}`);
    }
  }
  const timeZone = optString(c, raw, "timeZone", 64);
  if (timeZone !== undefined && !isTimeZone(timeZone)) c.add("timeZone", `timeZone must be an IANA zone such as "Europe/Berlin", got ${JSON.stringify(timeZone)}`);
  const currency = checkCurrency(c, raw, d.currency);
  const segment = optString(c, raw, "segment", 64);
  let tags: string[] = [];
  if (raw.tags !== undefined && raw.tags !== null) {
    if (!Array.isArray(raw.tags) || raw.tags.some((t) => typeof t !== "string" || t.length > 64) || raw.tags.length > 50) c.add("tags", "tags must be a list of at most 50 strings");
    else tags = [...new Set(raw.tags as string[])];
  }
  const noReminders = optBool(c, raw, "noReminders") ?? false;
  const notes = optString(c, raw, "notes", 2000);
  if (c.refused.length > 0 || id === undefined || currency === undefined) return { ok: false, refused: c.refused };
  return {
    ok: true,
    value: { id, version, name: (name as string).trim(), phones, emails, channel, locale, ...(timeZone ? { timeZone } : {}), currency, ...(segment ? { segment } : {}), tags, noReminders, ...(notes ? { notes } : {}) },
  };
}

export function validateInvoice(raw: unknown, index: number, d: LedgerDefaults): Result<NormalisedInvoice> {
  const c = new Collector(index, idOf(raw));
  if (!isObject(raw)) {
    c.add("", "an invoice must be a JSON object");
    return { ok: false, refused: c.refused };
  }
  const id = checkId(c, raw, "id", true);
  const version = checkVersion(c, raw);
  const accountId = checkId(c, raw, "accountId", true);
  const number = optString(c, raw, "number", 64);
  const amount = checkMinor(c, raw, "amount", true);
  let amountDue = checkMinor(c, raw, "amountDue", false);
  const currency = checkCurrency(c, raw, d.currency);
  const issueDate = checkDate(c, raw, "issueDate", true);
  const dueDate = checkDate(c, raw, "dueDate", true);
  if (issueDate && dueDate && dueDate < issueDate) c.add("dueDate", `dueDate ${dueDate} is before issueDate ${issueDate}`);
  let status: InvoiceStatus = "open";
  if (raw.status !== undefined && raw.status !== null) {
    if (!STATUSES.includes(raw.status as InvoiceStatus)) c.add("status", `status must be one of ${STATUSES.join(", ")}`);
    else status = raw.status as InvoiceStatus;
  }
  if (amountDue === undefined && amount !== undefined) amountDue = status === "paid" || status === "void" ? 0 : amount;
  if (amountDue !== undefined && amount !== undefined && amountDue > amount) c.add("amountDue", `amountDue ${amountDue} exceeds amount ${amount}`);
  if (status === "paid" && amountDue !== undefined && amountDue > 0) c.add("amountDue", "a paid invoice must have amountDue 0");
  if (status === "open" && amountDue === 0) status = "paid";
  const paymentLink = optString(c, raw, "paymentLink", 300);
  if (paymentLink !== undefined && !/^https:\/\/\S+$/.test(paymentLink)) c.add("paymentLink", "paymentLink must be an https:// URL without spaces");
  const directDebit = optBool(c, raw, "directDebit") ?? false;
  const noReminders = optBool(c, raw, "noReminders") ?? false;
  let externalRefs: Record<string, string> | undefined;
  if (raw.externalRefs !== undefined && raw.externalRefs !== null) {
    if (!isObject(raw.externalRefs) || Object.values(raw.externalRefs).some((v) => typeof v !== "string")) c.add("externalRefs", "externalRefs must be an object of strings");
    else if (Object.keys(raw.externalRefs).length > 0) externalRefs = raw.externalRefs as Record<string, string>;
  }
  if (c.refused.length > 0 || id === undefined || accountId === undefined || amount === undefined || amountDue === undefined || currency === undefined || !issueDate || !dueDate)
    return { ok: false, refused: c.refused };
  return {
    ok: true,
    value: { id, version, accountId, number: number ?? id, amount, amountDue, currency, issueDate, dueDate, status, ...(paymentLink ? { paymentLink } : {}), directDebit, noReminders, ...(externalRefs ? { externalRefs } : {}) },
  };
}

export function validatePayment(raw: unknown, index: number): Result<NormalisedPayment> {
  const c = new Collector(index, idOf(raw));
  if (!isObject(raw)) {
    c.add("", "a payment must be a JSON object");
    return { ok: false, refused: c.refused };
  }
  const id = checkId(c, raw, "id", true);
  const accountId = checkId(c, raw, "accountId", false);
  const invoiceId = checkId(c, raw, "invoiceId", false);
  if (raw.accountId == null && raw.invoiceId == null) c.add("accountId", "a payment names its invoiceId, its accountId or both", "missing");
  const amount = checkMinor(c, raw, "amount", true);
  if (amount === 0) c.add("amount", "amount must be greater than 0");
  const currency = checkCurrency(c, raw, undefined);
  const date = checkDate(c, raw, "date", true);
  if (c.refused.length > 0 || id === undefined || amount === undefined || !date) return { ok: false, refused: c.refused };
  return { ok: true, value: { id, ...(accountId ? { accountId } : {}), ...(invoiceId ? { invoiceId } : {}), amount, ...(currency ? { currency } : {}), date } };
}
