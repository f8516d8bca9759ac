import { readdir, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { AtomicJsonFile, fsyncDir } from "./atomic-file.js";

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
 */
export class RecordDir<T> {
  private readonly records = new Map<string, T>();
  private readonly files = new Map<string, AtomicJsonFile<T>>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly opts: RecordDirOptions,
  ) {}

  static async open<T>(dir: string, opts: RecordDirOptions): Promise<RecordDir<T>> {
    await mkdir(dir, { recursive: true });
    const rd = new RecordDir<T>(dir, opts);
    const names = await readdir(dir);
    const ids = new Set<string>();
    for (const n of names) {
      const m = /^(.+)\.json(\.bak)?$/.exec(n);
      if (m && ID.test(m[1]!)) ids.add(m[1]!);
    }
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
    if (!ID.test(id)) throw new DuegateError(ErrorCode.Validation, `Record id "${id}" may only hold letters, digits, - and _`, { id, dir: this.dir });
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
      this.flush().catch((e: unknown) => this.opts.logger.error({ dir: this.dir, err: errorMessage(e) }, "store: coalesced write failed; will retry on the next change"));
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
    const next = this.writing.catch(() => undefined).then(() => this.writeChanges());
    this.writing = next;
    return next;
  }

  async close(): Promise<void> {
    await this.flush();
  }

  private markDirtyRemoval(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) => this.opts.logger.error({ dir: this.dir, err: errorMessage(e) }, "store: coalesced removal failed"));
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

  private async writeChanges(): Promise<void> {
    const ids = [...this.dirty];
    const gone = [...this.removed];
    this.dirty.clear();
    this.removed.clear();
    if (ids.length === 0 && gone.length === 0) return;
    try {
      const written: Array<AtomicJsonFile<T>> = [];
      const texts: string[] = [];
      for (const id of ids) {
        const rec = this.records.get(id);
        if (rec === undefined) continue;
        written.push(this.fileOf(id));
        texts.push(JSON.stringify(rec));
      }
      // The fsyncs of one batch run side by side: the file system commits them together.
      await inChunks(written.length, (i) => written[i]!.prepare(texts[i]!));
      await inChunks(written.length, (i) => written[i]!.commit());
      await inChunks(gone.length, (i) => this.fileOf(gone[i]!).removeFiles());
      for (const id of gone) this.files.delete(id);
      if (written.length > 0) await written[0]!.syncDir();
      else await fsyncDir(this.dir);
    } catch (e) {
      // Keep them dirty so that the next flush tries again.
      for (const id of ids) if (this.records.has(id)) this.dirty.add(id);
      for (const id of gone) if (!this.records.has(id)) this.removed.add(id);
      throw e;
    }
  }
}

/** Runs fn(0..n-1), at most 32 at a time (open file handles stay bounded). */
async function inChunks(n: number, fn: (i: number) => Promise<void>): Promise<void> {
  for (let start = 0; start < n; start += 32) {
    await Promise.all(Array.from({ length: Math.min(32, n - start) }, (_, k) => fn(start + k)));
  }
}
