/**
 * The one place consent reads a phone number: the outbox's reading (the strict rule of src/core/phone.ts), so that the number the
 * suppression list keys on is exactly the number the outbox sends to (and the ledger stores).
 */
import type { E164 } from "../core/types.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { recipientE164 } from "../outbox/recipient.js";

/** E.164 of any common form, in the default region; throws InvalidNumber naming `field`. */
export function consentNumber(input: string, region: string, field = "number"): E164 {
  try {
    return recipientE164(input, region);
  } catch (e) {
    if (e instanceof DuegateError) throw new DuegateError(e.code, e.message, { ...e.context, field });
    throw new DuegateError(ErrorCode.InvalidNumber, `not a phone number`, { field });
  }
}
