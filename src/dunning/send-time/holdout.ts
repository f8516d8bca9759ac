/**
 * Which debtors keep the fixed time whatever the policy says, so that learning can be
 * measured against them: a stable hash of the account id, the same on every appliance and
 * after every restart, independent of the order accounts arrive in.
 */
import { createHash } from "node:crypto";
import type { SendTimeGroup } from "./learner.js";

/** The account's position in [0, 1), uniform over ids. */
export function holdoutPosition(accountId: string): number {
  return createHash("sha256").update(`send-time:${accountId}`).digest().readUInt32BE(0) / 2 ** 32;
}

export function groupOf(accountId: string, holdoutPercent: number): SendTimeGroup {
  return holdoutPosition(accountId) * 100 < holdoutPercent ? "holdout" : "learning";
}
