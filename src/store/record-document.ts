/**
 * A JSON document made of keyed collections (`{ accounts: {id: record}, invoices: {...},
 * erased: {...} }`), kept as a RecordLog instead of one file rewritten whole. The owner
 * mutates `data` in place as with JsonStore, says which records it changed with touch(),
 * and flush() appends just those records: bytes written per change stay small and do not
 * grow with the document (docs/architecture.md, Storage on an SD card), and no multi-megabyte
 * string is built per write (the Pi's memory).
 *
 * Safety nets: markDirty() with nothing touched means a change the owner did not name, so
 * the next flush writes a full snapshot; a flush that deletes records compacts before it
 * resolves, so that an erased record's old values are left in no file. Nothing here keeps a
 * copy of the records: compaction streams them from `data`.
 */
import { dirname } from "node:path";
import { access, unlink } from "node:fs/promises";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { AtomicJsonFile, fsyncDir, ignoreMissing } from "./atomic-file.js";
import { RecordLog, type RecordEntry, type RecordLogOptions, type RecordLogStats } from "./record-log.js";

/** Top-level fields that are not collections are journalled whole under this collection name. */
const FIELD = "$";

export interface RecordDocumentOptions extends RecordLogOptions {
  /** The top-level keys of the document that hold records by id; other keys are fields. */
  collections: readonly string[];
  /** A whole-file JSON document (JsonStore) to import once when the log is new; it is removed after. */
  legacyJson?: string;
  /** At most one write per this interval for markDirty() alone; flush() writes at once. */
  coalesceMs: number;
}

type Bag = Record<string, unknown>;

/** The records of collection `c` (created when a replay meets it first). */
function collection(bag: Bag, c: string): Record<string, unknown> {
  return (bag[c] ??= {}) as Record<string, unknown>;
}

export class RecordDocument<T extends object> {
  private touched = new Map<string, Set<string>>();
  private untracked = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  private constructor(
    readonly data: T,
    private readonly log: RecordLog,
    private readonly opts: RecordDocumentOptions,
  ) {
    log.source = () => this.entries();
  }

  static async open<T extends object>(
    dir: string,
    defaults: T,
    opts: RecordDocumentOptions,
  ): Promise<RecordDocument<T>> {
    const data = structuredClone(defaults);
    const bag = data as unknown as Bag;
    let applied = 0;
    const log = await RecordLog.open(dir, opts, ([c, k, v]) => {
      applied++;
      if (c === FIELD) bag[k] = v;
      else if (v === undefined) delete collection(bag, c)[k];
      else collection(bag, c)[k] = v;
    });
    const doc = new RecordDocument<T>(data, log, opts);
    const st = log.stats;
    if (opts.legacyJson && applied === 0 && st.generation === 0) await doc.importLegacy(opts.legacyJson);
    // A crash during an erasure's compaction: the deleted records' old lines are still in the logs.
    if (log.replayedDeletes) await log.compact();
    return doc;
  }

  get stats(): Readonly<RecordLogStats> {
    return this.log.stats;
  }

  /** The record `id` of `collection` changed or was deleted; without id, the top-level field `collection`. */
  touch(collection: string, id?: string): void {
    const c = id === undefined ? FIELD : collection;
    const k = id ?? collection;
    let set = this.touched.get(c);
    if (!set) this.touched.set(c, (set = new Set()));
    set.add(k);
  }

  markDirty(): void {
    if (this.closed) {
      this.opts.logger.warn({ dir: this.log.dir }, "store: change after close is not written");
      return;
    }
    if (this.touched.size === 0) this.untracked = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) =>
        this.opts.logger.error(
          { dir: this.log.dir, err: errorMessage(e) },
          "store: coalesced write failed; will retry on the next change",
        ),
      );
    }, this.opts.coalesceMs);
    this.timer.unref?.();
  }

  /** Durable when it resolves; rejects DuegateError(StoreWrite) when the card refuses. */
  async flush(): Promise<void> {
    if (this.closed)
      throw new DuegateError(ErrorCode.StoreWrite, `Store ${this.log.dir} is closed`, { dir: this.log.dir });
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const touched = this.touched;
    const untracked = this.untracked;
    this.touched = new Map();
    this.untracked = false;
    const bag = this.data as unknown as Bag;
    const entries: RecordEntry[] = [];
    let deletes = false;
    for (const [c, keys] of touched) {
      for (const k of keys) {
        const v = c === FIELD ? bag[k] : (bag[c] as Bag | undefined)?.[k];
        if (v === undefined) deletes = true;
        entries.push(v === undefined ? [c, k] : [c, k, v]);
      }
    }
    try {
      if (entries.length) await this.log.append(entries);
      if (untracked || deletes) await this.log.compact();
    } catch (e) {
      // Not written: named again so that the next flush tries them (the caller did not ack).
      for (const [c, keys] of touched)
        for (const k of keys) this.touch(c === FIELD ? k : c, c === FIELD ? undefined : k);
      this.untracked ||= untracked;
      throw e;
    }
  }

  /** A full rewrite now (snapshot, old logs removed). */
  compact(): Promise<void> {
    return this.log.compact();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.touched.size || this.untracked || this.timer) await this.flush();
    this.closed = true;
    await this.log.close();
  }

  /** The current records, read lazily: a record deleted while the snapshot streams is skipped. */
  private *entries(): IterableIterator<RecordEntry> {
    const bag = this.data as unknown as Bag;
    const collections = new Set(this.opts.collections);
    for (const key of Object.keys(bag))
      if (!collections.has(key) && bag[key] !== undefined) yield [FIELD, key, bag[key]];
    for (const c of this.opts.collections) {
      const records = bag[c] as Bag | undefined;
      if (!records) continue;
      for (const k of Object.keys(records)) {
        const v = records[k];
        if (v !== undefined) yield [c, k, v];
      }
    }
  }

  /** The JsonStore file this log replaces: read once (with its .bak fallback), snapshotted, removed. */
  private async importLegacy(path: string): Promise<void> {
    const exists = async (p: string): Promise<boolean> =>
      access(p).then(
        () => true,
        () => false,
      );
    if (!(await exists(path)) && !(await exists(`${path}.bak`))) return;
    const old = await new AtomicJsonFile<Record<string, unknown>>(path, this.opts.logger).read();
    if (old) Object.assign(this.data, old);
    await this.log.compact();
    // Its personal data now lives in the snapshot; a stale copy would survive erasures.
    for (const p of [path, `${path}.bak`, `${path}.tmp`]) await unlink(p).catch(ignoreMissing);
    await fsyncDir(dirname(path));
    this.opts.logger.info(
      { from: path, to: this.log.dir },
      "store: imported the whole-file document into the record log",
    );
  }
}
