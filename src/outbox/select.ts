import { searchedNumber } from "./recipient.js";
import type { Queue } from "./queue.js";
import type { CancelSelector, ListFilter, OutboxMessage } from "./types.js";

function accountIds(m: OutboxMessage): string[] {
  const o = m.origin;
  if (o.kind === "dunning") return [o.accountId];
  if (o.kind === "keyword-reply") return o.accountIds;
  if (o.kind === "api" && o.accountId) return [o.accountId];
  return [];
}

function invoiceIds(m: OutboxMessage): string[] {
  return m.origin.kind === "dunning" ? m.origin.invoiceIds : [];
}

/** Active messages a cancel selector names (finished ones are not candidates). */
export function selectForCancel(q: Pick<Queue, "activeMessages">, sel: CancelSelector): OutboxMessage[] {
  const active = q.activeMessages().filter((m) => m.finishedAt === undefined);
  if ("id" in sel) return active.filter((m) => m.id === sel.id);
  if ("idempotencyKey" in sel) return active.filter((m) => m.idempotencyKey === sel.idempotencyKey);
  if ("invoiceId" in sel) return active.filter((m) => invoiceIds(m).includes(sel.invoiceId));
  return active.filter(
    (m) => accountIds(m).includes(sel.accountId) && (sel.channel === undefined || (m.channel ?? "sms") === sel.channel),
  );
}

/** Newest first, filtered and paged. */
export function selectForList(
  all: OutboxMessage[],
  f: ListFilter,
  region: string,
): { total: number; items: OutboxMessage[] } {
  const states = f.state === undefined ? undefined : new Set(Array.isArray(f.state) ? f.state : [f.state]);
  // Exact E.164 after normalisation: +43 151 12340001 is not +49 151 12340001.
  const number = f.number ? searchedNumber(f.number, region) : undefined;
  const matched = all.filter(
    (m) =>
      (!states || states.has(m.state)) &&
      (!number || m.to === number) &&
      (!f.accountId || accountIds(m).includes(f.accountId)) &&
      (!f.invoiceId || invoiceIds(m).includes(f.invoiceId)) &&
      (!f.originKind || m.origin.kind === f.originKind) &&
      (!f.step || (m.origin.kind === "dunning" && m.origin.step === f.step)) &&
      (f.since === undefined || m.createdAt >= f.since) &&
      (f.until === undefined || m.createdAt <= f.until),
  );
  matched.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1));
  const offset = Math.max(0, f.offset ?? 0);
  const limit = Math.min(500, Math.max(1, f.limit ?? 50));
  return { total: matched.length, items: matched.slice(offset, offset + limit) };
}
