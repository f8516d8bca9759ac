import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { AtomicJsonFile, fsyncDir, ignoreMissing } from "./atomic-file.js";
import { mkdirPrivate } from "./private-files.js";

export interface RecordDirOptions {
  logger: Logger;
  /** At most one write per this interval for markDirty(); flush() writes at once. */
  coalesceMs: number;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * A directory of small JSON records, one file per id (`<id>.json`), each written like a
 * JsonStore (tmp + fsync + rename, .bak kept). It is the hot set of a queue: changing one
 * record rewrites only that record, so the bytes written per change do not grow with the
 * number of records. Records flushed together share one directory fsync (group commit).
 *
 * Flushes do not queue behind each other: a flush writes its records at once, side by side
 * with a flush still under way, so a hot record (a keyword reply) never waits for the fsyncs
 * of another record written just before. Only the writes of one same record stay in order
 * (its tmp file and rename are shared), each one after the previous one of that record.
 * flush() still resolves only when every change made before it, including those another
 * flush is writing, is durable: the crash guarantees of its callers do not change.
 */
export class RecordDir<T> {
  private readonly records = new Map<string, T>();
  private readonly files = new Map<string, AtomicJsonFile<T>>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Per record: its last write (or removal) under way; the next one of that record follows it. */
  private readonly recordTail = new Map<string, Promise<void>>();
  /** Batches under way (any record), so that a flush can wait for the changes made before it. */
  private readonly batches = new Set<Promise<void>>();
  /** Per record: the batch that last took it (its directory fsync included). */
  private readonly lastBatch = new Map<string, Promise<void>>();
  private open = 0;
  private readonly waiting: Array<() => void> = [];

  private constructor(
    readonly dir: string,
    private readonly opts: RecordDirOptions,
  ) {}

  static async open<T>(dir: string, opts: RecordDirOptions): Promise<RecordDir<T>> {
    await mkdirPrivate(dir);
    const rd = new RecordDir<T>(dir, opts);
    const names = await readdir(dir);
    const ids = new Set<string>();
    let stray = 0;
    for (const n of names) {
      const m = /^(.+)\.json(\.bak)?$/.exec(n);
      if (m && ID.test(m[1]!)) ids.add(m[1]!);
      else if (n.endsWith(".json.tmp")) {
        // A write cut short before its rename (a crash mid-batch): never a record, only litter.
        await unlink(join(dir, n)).catch(ignoreMissing);
        stray++;
      }
    }
    if (stray > 0) opts.logger.info({ dir, removed: stray }, "store: unfinished record writes (.tmp) removed at start");
    for (const id of ids) {
      const file = rd.fileOf(id);
      const value = await file.read(); // a corrupt record falls back to its .bak, loudly
      if (value !== null) rd.records.set(id, value);
    }
    return rd;
  }

  get size(): number {
    return this.records.size;
  }

  get(id: string): T | undefined {
    return this.records.get(id);
  }

  values(): IterableIterator<T> {
    return this.records.values();
  }

  /** Sets (or replaces) a record; written at the next flush or within coalesceMs. */
  put(id: string, record: T): void {
    if (!ID.test(id))
      throw new DuegateError(ErrorCode.Validation, `Record id "${id}" may only hold letters, digits, - and _`, {
        id,
        dir: this.dir,
      });
    this.records.set(id, record);
    this.removed.delete(id);
    this.markDirty(id);
  }

  /** The record was changed in place. */
  markDirty(id: string): void {
    if (!this.records.has(id)) return;
    this.dirty.add(id);
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) =>
        this.opts.logger.error(
          { dir: this.dir, err: errorMessage(e) },
          "store: coalesced write failed; will retry on the next change",
        ),
      );
    }, this.opts.coalesceMs);
    this.timer.unref?.();
  }

  /** Removes a record from memory; its file goes at the next flush. */
  delete(id: string): void {
    if (!this.records.delete(id)) return;
    this.dirty.delete(id);
    this.removed.add(id);
    this.markDirtyRemoval();
  }

  /** Everything changed so far is durable when this resolves. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const earlier = [...this.batches];
    await this.startBatch([...this.dirty], [...this.removed]);
    // Changes handed to earlier batches are part of "so far" too.
    const outcomes = await Promise.allSettled(earlier);
    // A failed earlier batch put its records back as dirty: write them now (as a queued flush used to).
    if (outcomes.some((o) => o.status === "rejected")) await this.startBatch([...this.dirty], [...this.removed]);
  }

  /**
   * Durable when this resolves: the named records' changes so far, not those of other
   * records (which are written side by side, not waited for).
   */
  async flushRecords(ids: Iterable<string>): Promise<void> {
    const want = [...new Set(ids)];
    const earlier = new Set(
      want.map((id) => this.lastBatch.get(id)).filter((p): p is Promise<void> => p !== undefined),
    );
    await this.startBatch(
      want.filter((id) => this.dirty.has(id)),
      want.filter((id) => this.removed.has(id)),
    );
    const outcomes = await Promise.allSettled(earlier);
    const again = want.filter((id) => this.dirty.has(id) || this.removed.has(id));
    if (outcomes.some((o) => o.status === "rejected") && again.length > 0) {
      await this.startBatch(
        again.filter((id) => this.dirty.has(id)),
        again.filter((id) => this.removed.has(id)),
      );
    }
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private markDirtyRemoval(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) =>
        this.opts.logger.error({ dir: this.dir, err: errorMessage(e) }, "store: coalesced removal failed"),
      );
    }, this.opts.coalesceMs);
    this.timer.unref?.();
  }

  private fileOf(id: string): AtomicJsonFile<T> {
    let f = this.files.get(id);
    if (!f) {
      f = new AtomicJsonFile<T>(join(this.dir, `${id}.json`), this.opts.logger);
      this.files.set(id, f);
    }
    return f;
  }

  /**
   * Starts writing the given records (and removing the given ones) as one batch, beside any
   * batch under way; synchronous up to the returned promise, so that the records are taken
   * from the dirty sets and chained behind their own earlier writes before anything else runs.
   */
  private startBatch(ids: string[], gone: string[]): Promise<void> {
    for (const id of ids) this.dirty.delete(id);
    for (const id of gone) this.removed.delete(id);
    if (ids.length === 0 && gone.length === 0) return Promise.resolve();
    const steps: Array<Promise<void>> = [];
    let synced: AtomicJsonFile<T> | undefined;
    const chain = (id: string, step: () => Promise<void>): void => {
      const prev = this.recordTail.get(id);
      const p = prev ? prev.then(() => this.slot(step)) : this.slot(step);
      const tail = p.catch(() => undefined);
      this.recordTail.set(id, tail);
      void tail.then(() => {
        if (this.recordTail.get(id) === tail) this.recordTail.delete(id);
      });
      steps.push(p);
    };
    for (const id of ids) {
      const rec = this.records.get(id);
      if (rec === undefined) continue;
      const text = JSON.stringify(rec); // the record as it is now, whenever its turn comes
      const file = this.fileOf(id);
      synced = file;
      chain(id, async () => {
        await file.prepare(text);
        await file.commit();
      });
    }
    for (const id of gone) {
      const file = this.fileOf(id);
      chain(id, async () => {
        await file.removeFiles();
        if (!this.records.has(id) && this.files.get(id) === file) this.files.delete(id);
      });
    }
    const batch = (async () => {
      const outcomes = await Promise.allSettled(steps);
      try {
        const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
        if (failed) throw failed.reason;
        // One directory fsync for the batch: its renames and unlinks are durable after it.
        if (synced) await synced.syncDir();
        else await fsyncDir(this.dir);
      } catch (e) {
        // Keep them dirty so that the next flush tries again.
        for (const id of ids) if (this.records.has(id)) this.dirty.add(id);
        for (const id of gone) if (!this.records.has(id)) this.removed.add(id);
        throw e;
      }
    })();
    this.batches.add(batch);
    for (const id of [...ids, ...gone]) this.lastBatch.set(id, batch);
    const done = (): void => {
      this.batches.delete(batch);
      for (const id of [...ids, ...gone]) if (this.lastBatch.get(id) === batch) this.lastBatch.delete(id);
    };
    batch.then(done, done);
    return batch;
  }

  /** At most MAX_OPEN file steps at a time, across batches (open file handles stay bounded). */
  private async slot(step: () => Promise<void>): Promise<void> {
    if (this.open >= MAX_OPEN) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.open++;
    try {
      await step();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.open--;
    }
  }
}

const MAX_OPEN = 32;
