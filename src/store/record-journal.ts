import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { AtomicJsonFile, fsyncDir, ignoreMissing } from "./atomic-file.js";
import { RecordLog, type RecordEntry, type RecordLogStats } from "./record-log.js";

export interface RecordJournalOptions {
  logger: Logger;
  /** At most one write per this interval for markDirty(); flush() writes at once. */
  coalesceMs: number;
  /** No compaction while the log holds fewer bytes than this. */
  compactMinBytes: number;
  /** ...nor while it holds fewer than this many times the snapshot's bytes. */
  compactRatio: number;
}

const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** The one collection of the journal's record log. */
const RECORDS = "r";
/** A record file of the one-file-per-record layout that the journal replaced. */
const LEGACY_RECORD = /^(.+)\.json(\.bak)?$/;

/**
 * The hot set of a queue (the outbox's active messages) as a journal of record changes: a
 * change appends the whole record as one line to the directory's record log (record-log.ts),
 * and the log is compacted into a snapshot of the live records in the background. Appends that
 * meet while a write is under way share one write and one fsync (group commit), so four modems
 * finishing parts at once cost one fsync, not four files' tmp + fsync + rename + directory fsync.
 *
 * A write is durable when flushRecords()/flush() resolves. Only the named records' changes are
 * waited for by flushRecords(); the log's order makes a later append of a record complete after
 * the earlier one, so a record's writes never overtake each other.
 *
 * The directory may still hold a record file per id (`<id>.json`, `.bak`) from the layout the
 * journal replaced: open() moves them into the log, durably, and only then removes the files, all
 * before any change can be made, so a file left by a crash in between holds the journal's value.
 */
export class RecordJournal<T> {
  private readonly records = new Map<string, T>();
  private readonly dirty = new Set<string>();
  private readonly removed = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** Per record: the append that last took it, so that a flush waits for a change handed to an earlier one. */
  private readonly lastAppend = new Map<string, Promise<void>>();
  private readonly appends = new Set<Promise<void>>();

  private constructor(
    readonly dir: string,
    private readonly log: RecordLog,
    private readonly opts: RecordJournalOptions,
  ) {
    log.source = () => this.entries();
  }

  static async open<T>(dir: string, opts: RecordJournalOptions): Promise<RecordJournal<T>> {
    const records = new Map<string, T>();
    const log = await RecordLog.open(dir, opts, (e) => {
      if (e[0] !== RECORDS) return;
      if (e.length < 3) records.delete(e[1]);
      else records.set(e[1], e[2] as T);
    });
    const journal = new RecordJournal<T>(dir, log, opts);
    for (const [id, r] of records) journal.records.set(id, r);
    await journal.importRecordFiles();
    return journal;
  }

  get size(): number {
    return this.records.size;
  }

  get stats(): Readonly<RecordLogStats> {
    return this.log.stats;
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
    this.schedule();
  }

  /** Removes a record from memory; its removal is written at the next flush. */
  delete(id: string): void {
    if (!this.records.delete(id)) return;
    this.dirty.delete(id);
    this.removed.add(id);
    this.schedule();
  }

  /** Everything changed so far is durable when this resolves. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const earlier = [...this.appends];
    await this.append([...this.dirty], [...this.removed]);
    const outcomes = await Promise.allSettled(earlier);
    // A failed earlier append put its records back as changed: write them now.
    if (outcomes.some((o) => o.status === "rejected")) await this.append([...this.dirty], [...this.removed]);
  }

  /** Durable when this resolves: the named records' changes so far (other records' are not waited for). */
  async flushRecords(ids: Iterable<string>): Promise<void> {
    const want = [...new Set(ids)];
    const earlier = new Set(
      want.map((id) => this.lastAppend.get(id)).filter((p): p is Promise<void> => p !== undefined),
    );
    await this.append(
      want.filter((id) => this.dirty.has(id)),
      want.filter((id) => this.removed.has(id)),
    );
    const outcomes = await Promise.allSettled(earlier);
    const again = want.filter((id) => this.dirty.has(id) || this.removed.has(id));
    if (outcomes.some((o) => o.status === "rejected") && again.length > 0)
      await this.append(
        again.filter((id) => this.dirty.has(id)),
        again.filter((id) => this.removed.has(id)),
      );
  }

  async close(): Promise<void> {
    await this.flush();
    await this.log.close();
  }

  private schedule(): void {
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

  /**
   * One append of these records' current values and removals; synchronous up to the returned
   * promise, so that the values are serialised and the sets cleared before anything else runs.
   */
  private append(ids: string[], gone: string[]): Promise<void> {
    const entries: RecordEntry[] = [];
    for (const id of ids) {
      this.dirty.delete(id);
      const rec = this.records.get(id);
      if (rec !== undefined) entries.push([RECORDS, id, rec]);
    }
    for (const id of gone) {
      this.removed.delete(id);
      if (!this.records.has(id)) entries.push([RECORDS, id]);
    }
    if (entries.length === 0) return Promise.resolve();
    const written = this.log.append(entries).catch((e: unknown) => {
      // Still to be written: the next flush tries again with the values as they are then.
      for (const id of ids) if (this.records.has(id)) this.dirty.add(id);
      for (const id of gone) if (!this.records.has(id)) this.removed.add(id);
      throw e;
    });
    this.appends.add(written);
    const taken = [...ids, ...gone];
    for (const id of taken) this.lastAppend.set(id, written);
    const done = (): void => {
      this.appends.delete(written);
      for (const id of taken) if (this.lastAppend.get(id) === written) this.lastAppend.delete(id);
    };
    written.then(done, done);
    return written;
  }

  private *entries(): Iterable<RecordEntry> {
    for (const [id, r] of this.records) yield [RECORDS, id, r];
  }

  /** Moves the record files of the earlier layout into the log (durable), then removes them. */
  private async importRecordFiles(): Promise<void> {
    const ids = new Set<string>();
    for (const name of await readdir(this.dir)) {
      const m = LEGACY_RECORD.exec(name);
      if (m && ID.test(m[1]!)) ids.add(m[1]!);
      else if (name.endsWith(".json.tmp")) await unlink(join(this.dir, name)).catch(ignoreMissing);
    }
    if (ids.size === 0) return;
    const files = [...ids].map((id) => ({
      id,
      file: new AtomicJsonFile<T>(join(this.dir, `${id}.json`), this.opts.logger),
    }));
    const found: string[] = [];
    for (const { id, file } of files) {
      const value = await file.read(); // a corrupt record falls back to its .bak, loudly
      if (value === null) continue;
      this.records.set(id, value);
      found.push(id);
    }
    await this.append(found, []);
    for (const { file } of files) await file.removeFiles();
    await fsyncDir(this.dir);
    this.opts.logger.info(
      { dir: this.dir, records: found.length },
      "store: record files moved into the record journal (one log instead of a file per record)",
    );
  }
}

/**
 * The records of a journal as they are on disk, read without changing a file (a reader beside
 * the running owner, e.g. a test looking at what a crash left). Record files of the earlier
 * layout count as the import at the next open() would count them: over the journal's values.
 */
export async function readRecordJournal<T>(dir: string, logger: Logger): Promise<Map<string, T>> {
  const records = new Map<string, T>();
  await RecordLog.read(
    dir,
    (e) => {
      if (e[0] !== RECORDS) return;
      if (e.length < 3) records.delete(e[1]);
      else records.set(e[1], e[2] as T);
    },
    logger,
  );
  const names = await readdir(dir).catch((e: unknown) => {
    ignoreMissing(e);
    return [] as string[];
  });
  for (const name of names) {
    const m = /^(.+)\.json$/.exec(name);
    if (!m || !ID.test(m[1]!)) continue;
    const value = await new AtomicJsonFile<T>(join(dir, name), logger).read();
    if (value !== null) records.set(m[1]!, value);
  }
  return records;
}
