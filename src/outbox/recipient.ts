/**
 * The outbox's use of the one phone module (src/core/phone.ts): a recipient is sent to only
 * in its strict E.164 form, the same rule the ledger stores numbers with.
 */
import type { E164 } from "../core/types.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { maskNumber, toE164 } from "../core/phone.js";

/** Any common way of writing a number -> E.164, with the configured region for national forms. */
export function recipientE164(input: unknown, defaultRegion: string): E164 {
  const r = toE164(input, defaultRegion);
  if (r.ok) return r.e164;
  const shown = maskNumber(typeof input === "string" ? input : "");
  throw new DuegateError(ErrorCode.InvalidNumber, `"${shown}" is ${r.reason}`, {
    field: "to",
    input: shown,
    region: defaultRegion,
    problem: r.problem,
  });
}

/** A number typed into a search: loose E.164 when it reads as one, else the digits as given. */
export function searchedNumber(input: string, defaultRegion: string): string {
  const r = toE164(input, defaultRegion, { strict: false });
  if (r.ok) return r.e164;
  const digits = input.replace(/[^\d+]/g, "");
  return digits.startsWith("+") ? digits : `+${digits}`;
}
