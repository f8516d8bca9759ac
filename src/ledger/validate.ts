/**
 * The ledger's own rules for a record whose shape the edge has already checked against its
 * schema (src/api/payloads.ts, the one shape check: docs/decisions/0006-validate-once.md).
 * What is left here needs the ledger's knowledge: phone numbers in their normal form, the
 * default locale and currency, a time zone Intl knows, a due date not before the issue date,
 * an amount due not above the amount, and the status rules. Nothing here throws.
 */
import { toE164 } from "../core/phone.js";
import { checkEmailAddress } from "../core/email-address.js";
import { excerpt } from "../core/excerpt.js";
import type { AccountUpsert, InvoiceUpsert, PaymentRecord } from "../api/payloads.js";
import { isTimeZone } from "../core/calendar.js";
import type { ChannelPreference, InvoiceStatus, RefusedRecord } from "./types.js";

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

class Collector {
  readonly refused: RefusedRecord[] = [];
  constructor(
    private readonly index: number,
    private readonly id: string,
  ) {}
  add(field: string, reason: string, code = "invalid"): void {
    this.refused.push({ index: this.index, id: this.id, field, code, reason });
  }
}

export function validateAccount(raw: AccountUpsert, index: number, d: LedgerDefaults): Result<NormalisedAccount> {
  const c = new Collector(index, raw.id);
  const phones: string[] = [];
  const emails: string[] = [];
  // The schema checks the shape; the stricter address rule (one dot-atom address, nothing a
  // header could be made of) is src/core/email-address.ts, the one the SMTP lane trusts.
  (raw.emails ?? []).forEach((e, i) => {
    const r = checkEmailAddress(e);
    if (!r.ok) c.add(`emails[${i}]`, `emails[${i}] is ${r.reason}`, "invalid_email");
    else if (!emails.includes(r.address)) emails.push(r.address);
  });
  const channel: ChannelPreference = raw.channel ?? "sms";
  const rawPhones = raw.phones ?? [];
  if (rawPhones.length === 0 && (raw.emails ?? []).length === 0)
    c.add("phones", "an account needs a phone number or an e-mail address (phones or emails)", "missing");
  rawPhones.forEach((p, i) => {
    // The one strict rule of src/core/phone.ts: a number the ledger keeps is one the outbox can send to.
    const r = toE164(p, d.region);
    if (!r.ok) c.add(`phones[${i}]`, `phones[${i}] is ${r.reason}`, "invalid_number");
    else if (!phones.includes(r.e164)) phones.push(r.e164);
  });
  let locale = d.locale;
  if (raw.locale !== undefined) {
    try {
      locale = Intl.getCanonicalLocales(raw.locale)[0] ?? d.locale;
    } catch {
      c.add("locale", `locale must be a BCP 47 tag such as "de-DE", got ${excerpt(JSON.stringify(raw.locale))}`);
    }
  }
  const timeZone = raw.timeZone;
  if (timeZone !== undefined && !isTimeZone(timeZone))
    c.add(
      "timeZone",
      `timeZone must be an IANA zone such as "Europe/Berlin", got ${excerpt(JSON.stringify(timeZone))}`,
    );
  if (c.refused.length > 0) return { ok: false, refused: c.refused };
  const segment = raw.segment ?? undefined;
  const notes = raw.notes ?? undefined;
  return {
    ok: true,
    value: {
      id: raw.id,
      version: raw.version,
      name: raw.name.trim(),
      phones,
      emails,
      channel,
      locale,
      ...(timeZone ? { timeZone } : {}),
      currency: raw.currency ?? d.currency,
      ...(segment ? { segment } : {}),
      tags: [...new Set(raw.tags ?? [])],
      noReminders: raw.noReminders ?? false,
      ...(notes ? { notes } : {}),
    },
  };
}

export function validateInvoice(raw: InvoiceUpsert, index: number, d: LedgerDefaults): Result<NormalisedInvoice> {
  const c = new Collector(index, raw.id);
  const { amount, issueDate, dueDate } = raw;
  // Same-length YYYY-MM-DD strings compare as dates.
  if (dueDate < issueDate) c.add("dueDate", `dueDate ${dueDate} is before issueDate ${issueDate}`);
  let status: InvoiceStatus = raw.status ?? "open";
  const amountDue = raw.amountDue ?? (status === "paid" || status === "void" ? 0 : amount);
  if (amountDue > amount) c.add("amountDue", `amountDue ${amountDue} exceeds amount ${amount}`);
  if (status === "paid" && amountDue > 0) c.add("amountDue", "a paid invoice must have amountDue 0");
  if (status === "open" && amountDue === 0) status = "paid";
  if (c.refused.length > 0) return { ok: false, refused: c.refused };
  const paymentLink = raw.paymentLink ?? undefined;
  const externalRefs = raw.externalRefs && Object.keys(raw.externalRefs).length > 0 ? raw.externalRefs : undefined;
  return {
    ok: true,
    value: {
      id: raw.id,
      version: raw.version,
      accountId: raw.accountId,
      number: raw.number ?? raw.id,
      amount,
      amountDue,
      currency: raw.currency ?? d.currency,
      issueDate,
      dueDate,
      status,
      ...(paymentLink ? { paymentLink } : {}),
      directDebit: raw.directDebit ?? false,
      noReminders: raw.noReminders ?? false,
      ...(externalRefs ? { externalRefs } : {}),
    },
  };
}

export function validatePayment(raw: PaymentRecord, index: number): Result<NormalisedPayment> {
  const c = new Collector(index, raw.id);
  if (raw.accountId === undefined && raw.invoiceId === undefined)
    c.add("accountId", "a payment names its invoiceId, its accountId or both", "missing");
  if (c.refused.length > 0) return { ok: false, refused: c.refused };
  const { id, accountId, invoiceId, amount, currency, date } = raw;
  return {
    ok: true,
    value: {
      id,
      ...(accountId ? { accountId } : {}),
      ...(invoiceId ? { invoiceId } : {}),
      amount,
      ...(currency ? { currency } : {}),
      date,
    },
  };
}
