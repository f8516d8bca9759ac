/**
 * Phone numbers: the one normal form (E.164), the one equality and the one masking. Every
 * layer that reads, stores, compares or prints a number uses this module, so that a number
 * the ledger accepts is one the outbox can send and the inbox can match (docs/phone-numbers.md).
 *
 * Two strictnesses, and only two:
 * - strict (the default): libphonenumber's isValid(), a number of a real numbering plan. Used
 *   for everything stored or sent: account phones, send requests, replies, the senders that
 *   are matched to accounts. A number accepted into the ledger is therefore always sendable.
 * - loose (`{ strict: false }`): isPossible(), the right length for its country. Used only to
 *   read numbers the network hands us (delivery report recipients) and filters typed by staff;
 *   a loosely read number is never matched to an account and never answered.
 */
import {
  parsePhoneNumberFromString,
  validatePhoneNumberLength,
  type CountryCode,
  type PhoneNumber,
} from "libphonenumber-js";
import type { E164 } from "./types.js";

export type { E164 } from "./types.js";

export type PhoneProblem = "empty" | "not-a-number" | "too-short" | "too-long" | "unknown-country" | "not-valid";

export type PhoneResult =
  { ok: true; e164: E164; country: string | undefined } | { ok: false; problem: PhoneProblem; reason: string };

export interface PhoneOptions {
  /** isValid() (default, for storing and sending) or isPossible() (reading what the network reports). */
  strict?: boolean;
}

const REASONS: Record<PhoneProblem, string> = {
  empty: "no number given",
  "not-a-number": "not a phone number (letters, or no digits: an alphanumeric sender or a typing error)",
  "too-short": "too short for a phone number of its country",
  "too-long": "too long for a phone number of its country",
  "unknown-country": "the country calling code is not one that exists",
  "not-valid": "not a number of its country's numbering plan",
};

function fail(problem: PhoneProblem, region: string, text = ""): PhoneResult {
  const national = !text.startsWith("+") && problem !== "not-a-number" && problem !== "empty";
  const hint = national ? ` (region ${region} assumed for a number without a country code)` : "";
  return { ok: false, problem, reason: REASONS[problem] + hint };
}

function parse(text: string, region: string): PhoneNumber | undefined {
  try {
    return parsePhoneNumberFromString(text, region as CountryCode);
  } catch {
    return undefined;
  }
}

function accepted(p: PhoneNumber | undefined, strict: boolean): p is PhoneNumber {
  return p !== undefined && (strict ? p.isValid() : p.isPossible());
}

/** Why a number was refused, in the terms a technician can act on. */
function problemOf(text: string, region: string): PhoneProblem {
  let length: ReturnType<typeof validatePhoneNumberLength>;
  try {
    length = validatePhoneNumberLength(text, region as CountryCode);
  } catch {
    return "not-valid";
  }
  if (length === "TOO_SHORT") return "too-short";
  if (length === "TOO_LONG") return "too-long";
  if (length === "INVALID_COUNTRY") return "unknown-country";
  if (length === "NOT_A_NUMBER") return "not-a-number";
  return "not-valid";
}

/**
 * Any common spelling of a number to E.164: "+49 176 1234567", "0049 176…", "(0176) 1234567"
 * with region DE. Digits without "+" that are no national number of the region are read once
 * more as international ("49176…" is how some SMSCs and spreadsheets drop the "+").
 */
export function toE164(raw: unknown, region: string, opts: PhoneOptions = {}): PhoneResult {
  const strict = opts.strict ?? true;
  if (typeof raw !== "string" || raw.trim() === "") return fail("empty", region);
  const text = raw.trim();
  // Letters mean an alphanumeric sender ("PayPal") or a typo; never a number to store or match.
  if (!/\d/.test(text) || /[a-z]/i.test(text)) return fail("not-a-number", region);
  if (!/^[+\d\s().\-/]+$/.test(text)) return fail("not-a-number", region);
  const national = parse(text, region);
  if (accepted(national, strict)) return ok(national);
  const digits = text.replace(/\D/g, "");
  if (!text.startsWith("+")) {
    const international = parse(`+${digits.startsWith("00") ? digits.slice(2) : digits}`, region);
    if (accepted(international, strict)) return ok(international);
  }
  return fail(problemOf(text, region), region, text);
}

function ok(p: PhoneNumber): PhoneResult {
  return { ok: true, e164: p.number as E164, country: p.country };
}

/** The E.164 form or undefined: for callers that only need to know whether it is a number. */
export function e164OrUndefined(raw: unknown, region: string, opts: PhoneOptions = {}): E164 | undefined {
  const r = toE164(raw, region, opts);
  return r.ok ? r.e164 : undefined;
}

/** Senders of at most this many digits written without "+" are short codes (service numbers), not subscribers. */
const SHORT_CODE_MAX_DIGITS = 6;

/**
 * An inbound SMS's sender as a subscriber number, or undefined when it is none: an alphanumeric
 * sender ("PayPal"), a short code ("22222", no "+" and at most six digits) or anything the
 * strict rule refuses. Only a sender this returns is matched to accounts and answered, so a
 * sender that is matched is always one the outbox can reply to. The inbox keeps the others
 * as the network wrote them.
 */
export function senderE164(raw: string, region: string): E164 | undefined {
  const text = raw.trim();
  if (!text.startsWith("+") && text.replace(/\D/g, "").length <= SHORT_CODE_MAX_DIGITS) return undefined;
  return e164OrUndefined(text, region);
}

/**
 * Every E.164 number a string can be read as, loosely: itself when it has a "+", else as a
 * national number of the region and as an international number whose "+" (or "00") was dropped.
 * Networks write a recipient in any of these forms (a status report's TP-RA type of number).
 */
export function phoneReadings(raw: string, region: string): ReadonlySet<string> {
  const out = new Set<string>();
  const text = raw.trim();
  const add = (p: PhoneNumber | undefined) => {
    if (accepted(p, false)) out.add(p.number);
  };
  if (!/^[+\d\s().\-/]+$/.test(text) || !/\d/.test(text)) return out;
  add(parse(text, region));
  if (!text.startsWith("+")) {
    const digits = text.replace(/\D/g, "");
    add(parse(`+${digits.startsWith("00") ? digits.slice(2) : digits}`, region));
  }
  return out;
}

/**
 * The same subscriber: some reading of one is exactly some reading of the other (E.164
 * equality after normalising). There is no match on trailing digits any more: +43 151 12340001
 * and +49 151 12340001 differ only in the country code and are two people, so a delivery
 * report or a reply must never reach the other. What replaces the old last-8-digits rule is
 * the set of readings above: an SMSC that drops the "+" or writes the number nationally still
 * names the same E.164 number, and nothing else does.
 */
export function samePhone(a: string, b: string, region: string): boolean {
  const ra = phoneReadings(a, region);
  for (const n of phoneReadings(b, region)) if (ra.has(n)) return true;
  return false;
}

/** ISO 3166 country of an E.164 number ("+905321234567" → "TR"), undefined for non-geographic or unknown ones. */
export function countryOf(e164: string): string | undefined {
  return parse(e164, "ZZ")?.country;
}

/** A number as logs show it: +4917******67. Short strings are starred whole. */
export function maskNumber(number: string): string {
  const digits = number.replace(/[^\d+]/g, "");
  if (digits.length <= 6) return "*".repeat(digits.length);
  const keepHead = digits.startsWith("+") ? 4 : 3;
  return digits.slice(0, keepHead) + "*".repeat(Math.max(1, digits.length - keepHead - 2)) + digits.slice(-2);
}
