/**
 * Personal data in logs: phone numbers are shown as +4917******67, balances never appear.
 * The logger applies maskText to every string it prints, so a number that slips into a
 * message is masked too; code should still pass numbers through maskNumber on purpose.
 */
import { maskNumber } from "./phone.js";

/** Phone masking lives with the other phone rules (src/core/phone.ts); re-exported for the logger's callers. */
export { maskNumber };

const PHONE_IN_TEXT = /(\+?\d[\d ]{6,18}\d)/g;

export function maskText(text: string): string {
  return text.replace(PHONE_IN_TEXT, (m) => (m.replace(/\D/g, "").length >= 8 ? maskNumber(m) : m));
}

/** Keys whose values are phone numbers anywhere in a logged object. */
export const PHONE_KEYS = new Set([
  "to",
  "from",
  "msisdn",
  "phone",
  "phones",
  "number",
  "sender",
  "recipient",
  "smsc",
  "oa",
  "da",
]);
/** Keys whose values are secrets or money and are never logged. */
export const SECRET_KEYS = new Set([
  "password",
  "passwordHash",
  "pin",
  "puk",
  "token",
  "apiKey",
  "secret",
  "authorization",
  "cookie",
  "balance",
  "amount",
  "amountDue",
  "text",
  "body",
]);

/**
 * A copy with phone numbers masked and secrets redacted. `secrets` adds key names to SECRET_KEYS:
 * the configuration's own secret keys (src/config/settings-catalog.ts secretKeyNames), which the
 * kernel cannot know itself.
 */
export function maskDeep(value: unknown, depth = 0, secrets: ReadonlySet<string> = SECRET_KEYS): unknown {
  if (depth > 6) return "[deep]";
  if (typeof value === "string") return maskText(value);
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, depth + 1, secrets));
  if (value && typeof value === "object" && !(value instanceof Error)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (secrets.has(k)) out[k] = "[redacted]";
      else if (PHONE_KEYS.has(k) && typeof v === "string") out[k] = maskNumber(v);
      else if (PHONE_KEYS.has(k) && Array.isArray(v))
        out[k] = v.map((x) => (typeof x === "string" ? maskNumber(x) : x));
      else out[k] = maskDeep(v, depth + 1, secrets);
    }
    return out;
  }
  return value;
}
