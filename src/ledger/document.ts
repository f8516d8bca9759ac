/** The ledger's cold file (ledger.json) and the rule that says when a change stops reminders. */
import type { Account, ErasureCounts, Invoice, Payment, StopReason } from "./types.js";

export interface LedgerDocument {
  schema: 1;
  accounts: Record<string, Account>;
  invoices: Record<string, Invoice>;
  payments: Record<string, Payment>;
  /** shortHash(account id) -> last version seen, so that a stale republish cannot resurrect an erased account. */
  tombstones: Record<string, number>;
  erased: ErasureCounts;
}

export const emptyDocument = (): LedgerDocument => ({
  schema: 1,
  accounts: {},
  invoices: {},
  payments: {},
  tombstones: {},
  erased: { accounts: 0, invoices: 0, payments: 0 },
});

export function stopFor(prev: Invoice | undefined, next: Invoice): StopReason | undefined {
  if (next.status === "paid" && prev?.status !== "paid") return "paid";
  if (next.status === "void" && prev?.status !== "void") return "void";
  if (next.status === "disputed" && prev?.status !== "disputed") return "disputed";
  if (next.noReminders && !prev?.noReminders) return "no-reminders";
  return undefined;
}
