import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { RecordDocument } from "../store/record-document.js";
import type { DocumentStore, OpenDocument } from "./ports.js";

/** When the ledger's journal is compacted (Config["storage"].ledgerCompact*). */
export interface LedgerJournalOptions {
  compactMinBytes: number;
  compactRatio: number;
}

export const defaultJournalOptions: LedgerJournalOptions = { compactMinBytes: 4 * 1024 * 1024, compactRatio: 1 };

/**
 * The ledger's documents as record logs (src/store RecordDocument): `<name>.json` becomes the
 * directory `<name>/` holding a snapshot and append-only logs, so that a batch of invoices
 * writes those invoices, not the whole ledger. A `<name>.json` left by the whole-file store
 * is imported once and removed. Records are the entries of `collections`.
 */
export function recordDocuments(
  dataDir: string,
  logger: Logger,
  journal: LedgerJournalOptions = defaultJournalOptions,
  collections: readonly string[] = ["accounts", "invoices", "payments", "tombstones"],
): OpenDocument {
  return async <T>(name: string, defaults: T): Promise<DocumentStore<T>> => {
    const base = name.replace(/\.json$/, "");
    return RecordDocument.open(join(dataDir, base), defaults as T & object, {
      logger,
      collections,
      legacyJson: join(dataDir, name),
      coalesceMs: 2000,
      ...journal,
    });
  };
}
