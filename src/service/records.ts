/**
 * Ingest of accounts, invoices and payments for both adapters (MQTT topics, REST routes and
 * the CSV import), so that a topic and its route behave the same: per-record validation, one
 * durable ledger call for the good records, and a report naming each refused record, field and reason.
 */
import type { TSchema } from "@sinclair/typebox";
import { AccountUpsert, InvoiceUpsert, PaymentRecord, type UpsertResult } from "../api/payloads.js";
import { check, type ValidationProblem } from "../api/validate.js";
import { ErrorCode, isDuegateError } from "../core/errors.js";
import { boundMessage, excerpt } from "../core/excerpt.js";
import type { LedgerCommands, LedgerUpsertReport } from "./ports.js";

export type RecordKind = "accounts" | "invoices" | "payments";

const schemas: Record<RecordKind, TSchema> = {
  accounts: AccountUpsert,
  invoices: InvoiceUpsert,
  payments: PaymentRecord,
};

export interface RefusedRecord extends ValidationProblem {
  index: number;
  id?: string;
}

/** Largest batch per message or request; more is refused whole (split it). */
export const DEFAULT_MAX_BATCH = 5000;

/** Validates each record and stores the good ones in one durable ledger call. */
export async function ingestRecords(
  ledger: LedgerCommands,
  kind: RecordKind,
  payload: unknown,
  maxBatch = DEFAULT_MAX_BATCH,
): Promise<UpsertResult> {
  const items: unknown[] = Array.isArray(payload) ? payload : [payload];
  if (payload === null || typeof payload !== "object") {
    return {
      received: 0,
      stored: 0,
      unchanged: 0,
      stale: 0,
      refused: [{ index: 0, field: "", reason: "must be one JSON object or an array of them" }],
    };
  }
  if (items.length > maxBatch) {
    return {
      received: items.length,
      stored: 0,
      unchanged: 0,
      stale: 0,
      refused: [{ index: 0, field: "", reason: `batch of ${items.length} is over the limit of ${maxBatch}: split it` }],
    };
  }
  const refused: RefusedRecord[] = [];
  const good: unknown[] = [];
  const goodIndex: number[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const c = check(schemas[kind], item);
    const prefix = Array.isArray(payload) ? `/${index}` : "";
    const id = idOf(item);
    if (!c.ok) {
      const p = c.problems[0]!;
      refused.push({ index, id, field: prefix + p.field, reason: p.reason });
      return;
    }
    // The same id twice in one batch: the later record wins, as if sent one after the other.
    const earlier = id === undefined ? undefined : seen.get(id);
    if (earlier !== undefined) good[earlier] = item;
    else {
      if (id !== undefined) seen.set(id, good.length);
      good.push(item);
      goodIndex.push(index);
    }
  });
  let report: LedgerUpsertReport = { received: 0, applied: [], unchanged: [], stale: [], refused: [] };
  if (good.length > 0) {
    try {
      if (kind === "accounts") report = await ledger.upsertAccounts(good as AccountUpsert[]);
      else if (kind === "invoices") report = await ledger.upsertInvoices(good as InvoiceUpsert[]);
      else report = await ledger.recordPayments(good as PaymentRecord[]);
    } catch (e) {
      // A refusal of the whole batch by the domain is the sender's to fix; anything else
      // (a failed write) propagates, so nothing is acknowledged and the sender retries.
      if (!isDuegateError(e) || (e.code !== ErrorCode.Validation && e.code !== ErrorCode.StaleUpdate)) throw e;
      for (const i of goodIndex)
        refused.push({ index: i, id: idOf(items[i]), field: String(e.context.field ?? ""), reason: e.message });
      return {
        received: items.length,
        stored: 0,
        unchanged: 0,
        stale: 0,
        refused: refused.sort((a, b) => a.index - b.index),
      };
    }
  }
  return toUpsertResult(items, goodIndex, report, refused, Array.isArray(payload));
}

function idOf(item: unknown): string | undefined {
  const id = item && typeof item === "object" ? (item as { id?: unknown }).id : undefined;
  return typeof id === "string" ? id : undefined;
}

/** Merges the ledger's report (indices into the good records) with the edge's refusals. */
export function toUpsertResult(
  items: unknown[],
  goodIndex: number[],
  report: LedgerUpsertReport,
  refused: RefusedRecord[],
  batch: boolean,
): UpsertResult {
  const fromLedger = report.refused.map((r) => {
    const index = goodIndex[r.index] ?? r.index;
    return { index, id: r.id, field: (batch ? `/${index}` : "") + ledgerPathToPointer(r.field), reason: r.reason };
  });
  const all = [...refused, ...fromLedger].sort((a, b) => a.index - b.index);
  return {
    received: items.length,
    stored: report.applied.length,
    unchanged: report.unchanged.length,
    stale: report.stale.length,
    // A refusal quotes at most an excerpt of what was sent (a field name or value may be megabytes).
    refused: all.map((r) => ({
      index: r.index,
      ...(r.id === undefined ? {} : { id: excerpt(r.id) }),
      field: excerpt(r.field),
      reason: boundMessage(r.reason),
    })),
  };
}

/** "phones[1]" or "externalRefs.crm" → "/phones/1", "/externalRefs/crm". */
export function ledgerPathToPointer(path: string): string {
  if (!path) return "";
  return (
    "/" +
    path
      .replace(/\[(\d+)\]/g, ".$1")
      .split(".")
      .filter(Boolean)
      .join("/")
  );
}
