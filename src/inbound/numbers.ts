import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";

/**
 * A sender or an account phone in E.164, or undefined when it is not a dialable number
 * (alphanumeric senders such as "PayPal", short codes that cannot be parsed). Two numbers
 * are the same only when their E.164 forms are equal: "+49 176 1234567", "0049176…" and,
 * with region DE, "0176 1234567" all compare equal.
 */
export function toE164(raw: string, defaultRegion: string): string | undefined {
  const trimmed = raw.trim();
  if (!/\d/.test(trimmed) || /[a-z]/i.test(trimmed)) return undefined;
  const international = trimmed.startsWith("00") ? `+${trimmed.slice(2)}` : trimmed;
  try {
    const parsed = parsePhoneNumberFromString(international, defaultRegion as CountryCode);
    if (!parsed || !parsed.isPossible()) return undefined;
    return parsed.number;
  } catch {
    return undefined;
  }
}
