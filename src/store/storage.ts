/**
 * The one storage port of the domain services (docs/architecture.md, "Storage seam"). The
 * composition root opens it once over gateway.dataDir with the storage settings and hands the
 * same object to every service (ledger, dunning, outbox, inbound, consent, desk, auth). A service
 * names its files and their kind; it never builds a path nor chooses how a file is written:
 *
 * - document: a small JSON document rewritten whole (atomic, coalesced, .bak): settings-sized state;
 * - recordDocument: a document of collections kept as a record log, so that a change appends its
 *   records and the file never grows with one rewrite per change (the ledger, step memory, consent);
 * - history: dated append-only JSONL files with the retention of storage.historyRetentionDays;
 * - recordJournal: a hot set of records (the outbox's active messages) kept as a record log: a
 *   change appends the whole record, changes meeting at the same time share one fsync.
 *
 * Tests of a service alone may hand in memoryStorage() for the document kinds.
 */
import { join } from "node:path";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { JsonStore } from "./json-store.js";
import { RecordDocument } from "./record-document.js";
import { History } from "./history.js";
import { RecordJournal } from "./record-journal.js";

/** A JSON document kept on disk (JsonStore and RecordDocument satisfy it; MemoryDocument in tests). */
export interface DocumentStore<T> {
  readonly data: T;
  /**
   * Names one changed (or deleted) record of a collection, or with no id a changed top-level
   * field, so that a journalling store writes only those (RecordDocument). Stores that rewrite
   * the whole document ignore it.
   */
  touch?(collection: string, id?: string): void;
  /** Coalesced write. */
  markDirty(): void;
  /** Durable now: before anything is acknowledged. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** Per file: the logger its warnings go to (the service's), and its own coalescing interval. */
export interface OpenOptions {
  logger?: Logger;
  /** Default storage.flushIntervalMs. */
  coalesceMs?: number;
}

export interface RecordDocumentLayout extends OpenOptions {
  /** The top-level keys that hold records by id; other keys are fields. */
  collections: readonly string[];
  /** No compaction while the logs hold fewer bytes than this (default storage.ledgerCompactMinBytes). */
  compactMinBytes?: number;
  /** ...nor while they hold fewer than this many times the snapshot's bytes (default storage.ledgerCompactRatio). */
  compactRatio?: number;
  /** Import `<name>.json` written by the whole-file store once, then remove it. */
  importLegacyJson?: boolean;
}

export interface RecordJournalLayout extends OpenOptions {
  /** No compaction while the log holds fewer bytes than this (default 1 MiB: a queue's set is small and changes often). */
  compactMinBytes?: number;
  /** ...nor while it holds fewer than this many times the snapshot's bytes (default 4). */
  compactRatio?: number;
}

export interface Storage {
  /** A small JSON document `name` (e.g. "desk.json"), created with `defaults` when absent. */
  document<T>(name: string, defaults: T, options?: OpenOptions): Promise<DocumentStore<T>>;
  /** A document of collections kept as a record log in the directory `name`. */
  recordDocument<T extends object>(name: string, defaults: T, layout: RecordDocumentLayout): Promise<DocumentStore<T>>;
  /** Dated history files `<folder>/<prefix>-YYYY-MM-DD.jsonl`. */
  history<R>(folder: string, prefix: string, options?: { logger?: Logger; retentionDays?: number }): History<R>;
  /** A hot set of records kept as a record log in the directory `name`. */
  recordJournal<R>(name: string, options?: RecordJournalLayout): Promise<RecordJournal<R>>;
}

/** The kinds a service of documents alone needs (what memoryStorage() offers). */
export type DocumentStorage = Pick<Storage, "document" | "recordDocument">;

export interface FileStorageSettings {
  /** gateway.dataDir, already prepared (src/system/data-dir.ts). */
  dataDir: string;
  clock: Clock;
  logger: Logger;
  /** storage.flushIntervalMs (default 1000). */
  flushIntervalMs?: number;
  /** storage.historyRetentionDays (default 1096). */
  historyRetentionDays?: number;
  /** storage.ledgerCompactMinBytes and ledgerCompactRatio: when a record log is compacted. */
  compactMinBytes?: number;
  compactRatio?: number;
}

/** The files of the data directory, written by this folder's stores. */
export function fileStorage(s: FileStorageSettings): Storage {
  const coalesce = (o: OpenOptions | undefined): number => o?.coalesceMs ?? s.flushIntervalMs ?? 1000;
  return {
    document: <T>(name: string, defaults: T, o?: OpenOptions) =>
      JsonStore.open<T>(join(s.dataDir, name), defaults, { logger: o?.logger ?? s.logger, coalesceMs: coalesce(o) }),
    recordDocument: <T extends object>(name: string, defaults: T, l: RecordDocumentLayout) =>
      RecordDocument.open<T>(join(s.dataDir, name), defaults, {
        logger: l.logger ?? s.logger,
        collections: l.collections,
        coalesceMs: coalesce(l),
        compactMinBytes: l.compactMinBytes ?? s.compactMinBytes ?? 4 * 1024 * 1024,
        compactRatio: l.compactRatio ?? s.compactRatio ?? 1,
        ...(l.importLegacyJson ? { legacyJson: join(s.dataDir, `${name}.json`) } : {}),
      }),
    history: <R>(folder: string, prefix: string, o?: { logger?: Logger; retentionDays?: number }) =>
      new History<R>(join(s.dataDir, folder), prefix, {
        retentionDays: o?.retentionDays ?? s.historyRetentionDays ?? 1096,
        clock: s.clock,
        logger: o?.logger ?? s.logger,
      }),
    recordJournal: <R>(name: string, l?: RecordJournalLayout) =>
      RecordJournal.open<R>(join(s.dataDir, name), {
        logger: l?.logger ?? s.logger,
        coalesceMs: coalesce(l),
        compactMinBytes: l?.compactMinBytes ?? 1024 * 1024,
        compactRatio: l?.compactRatio ?? 4,
      }),
  };
}

/** A document kept in memory: unit tests and benchmarks of a service alone. */
export class MemoryDocument<T> implements DocumentStore<T> {
  flushes = 0;
  dirty = false;
  constructor(readonly data: T) {}
  markDirty(): void {
    this.dirty = true;
  }
  async flush(): Promise<void> {
    this.flushes++;
    this.dirty = false;
  }
  async close(): Promise<void> {}
}

/** Documents in memory by name; opened again with the same data (a "restart" in tests). */
export function memoryStorage(): DocumentStorage & { docs: Map<string, MemoryDocument<unknown>> } {
  const docs = new Map<string, MemoryDocument<unknown>>();
  const open = async <T>(name: string, defaults: T): Promise<DocumentStore<T>> => {
    const existing = docs.get(name);
    if (existing) return existing as MemoryDocument<T>;
    const doc = new MemoryDocument<T>(structuredClone(defaults));
    docs.set(name, doc as MemoryDocument<unknown>);
    return doc;
  };
  return { docs, document: open, recordDocument: open };
}

/**
 * How a service's options name its storage: `store`, the composition root's one Storage, or
 * (tests and tools that open a service alone) `dataDir`, a file storage opened over it.
 */
export interface StoreSource<S extends DocumentStorage = Storage> {
  store?: S;
  dataDir?: string;
}

/** The service's store: the one handed in, else file storage over dataDir; neither is a wiring mistake. */
export function storeOf(
  src: StoreSource,
  clock: Clock,
  logger: Logger,
  settings?: Partial<FileStorageSettings>,
): Storage;
export function storeOf(
  src: StoreSource<DocumentStorage>,
  clock: Clock,
  logger: Logger,
  settings?: Partial<FileStorageSettings>,
): DocumentStorage;
export function storeOf(
  src: StoreSource<DocumentStorage>,
  clock: Clock,
  logger: Logger,
  settings: Partial<FileStorageSettings> = {},
): DocumentStorage {
  if (src.store) return src.store;
  if (src.dataDir === undefined)
    throw new DuegateError(ErrorCode.ConfigInvalid, "a service was opened with neither a store nor a data directory", {
      where: "store",
    });
  return fileStorage({ ...settings, dataDir: src.dataDir, clock, logger });
}
