import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import type { E164 } from "../core/types.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { maskNumber } from "../core/mask.js";

/** Any common way of writing a number -> E.164, with the configured region for national forms. */
export function toE164(input: string, defaultRegion: string): E164 {
  const parsed = parsePhoneNumberFromString(String(input ?? "").trim(), defaultRegion as CountryCode);
  if (!parsed || !parsed.isValid()) {
    throw new DuegateError(ErrorCode.InvalidNumber, `"${maskNumber(String(input ?? ""))}" is not a valid phone number (region ${defaultRegion} assumed for numbers without a country code)`, {
      field: "to",
      input: maskNumber(String(input ?? "")),
      region: defaultRegion,
    });
  }
  return parsed.number as E164;
}

/** Lenient form for numbers in delivery reports: E.164 when it parses, else "+" and the digits. */
export function reportedNumber(input: string, defaultRegion: string): string {
  const digits = input.replace(/[^\d+]/g, "");
  const parsed = parsePhoneNumberFromString(digits, defaultRegion as CountryCode);
  if (parsed?.isValid()) return parsed.number;
  return digits.startsWith("+") ? digits : `+${digits}`;
}

/** Same subscriber, allowing for an SMSC that drops the "+" or the country code: the last 8 digits agree. */
export function sameNumber(a: string, b: string): boolean {
  if (a === b) return true;
  const da = a.replace(/\D/g, "");
  const db = b.replace(/\D/g, "");
  return da.length >= 8 && db.length >= 8 && da.slice(-8) === db.slice(-8);
}
