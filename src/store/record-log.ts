/**
 * An append-only journal of record changes with a compacted snapshot, for a document too
 * large to rewrite on every change (the ledger: 100,000 invoices are ~20 MB of JSON, and a
 * Raspberry Pi's SD card wears with every byte; docs/architecture.md, Storage on an SD card).
 *
 * Files in `dir`:
 * - `log-<gen>.jsonl`: one line per changed record, `[collection, key, value]` (an upsert,
 *   the whole record) or `[collection, key]` (a delete), then `{"commit":n}` closing each
 *   append. An append is one write and one fsync; append() resolves after the fsync, so a
 *   caller acknowledges a sender only when the change is durable. Appends that arrive while
 *   a write is in flight share the next write (group commit).
 * - `snapshot.jsonl`: `{"snapshot":1,"next":G}`, every live record as a line, `{"end":n}`.
 *   It holds everything of the logs before generation G.
 *
 * Start-up replays the snapshot, then the logs from G on. Lines after a log's last commit
 * (a torn write at a crash, or the zeros a file system may leave there) are dropped, with
 * a warning: they belong to an append that never resolved, so nothing acknowledged is
 * lost, and a half-applied append (a payment without its invoice change) is never seen.
 * Every start appends to a new generation, so a torn tail is only ever at a file's end;
 * an unreadable line before a commit is damage, and the store refuses to start.
 *
 * Compaction: when the logs outgrow `compactMinBytes` and `compactRatio` times the
 * snapshot, new appends move to a new generation and the current records are streamed
 * (record by record, never one big string) to `snapshot.jsonl.tmp`, fsynced, renamed over
 * the snapshot, and the covered logs are unlinked. Appends continue meanwhile. A record
 * changed during the stream may be written with its newer value; replay applies the newer
 * logs over it, so the result is the same. compact() also serves erasure: once it
 * resolves, a deleted record's old values are in no file (the caller deleted them first).
 */
import { readdir, rename, stat, unlink, type FileHandle } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { fsyncDir, ignoreMissing } from "./atomic-file.js";
import { countWrite } from "./io-stats.js";
import { mkdirPrivate, openPrivate } from "./private-files.js";

/** `[collection, key, value]` upserts, `[collection, key]` deletes. */
export type RecordEntry = [collection: string, key: string, value?: unknown];

export interface RecordLogOptions {
  logger: Logger;
  /** No compaction while the logs hold fewer bytes than this. */
  compactMinBytes: number;
  /** ...nor while they hold fewer than this many times the snapshot's bytes. */
  compactRatio: number;
}

export interface RecordLogStats {
  generation: number;
  logBytes: number;
  snapshotBytes: number;
  compactions: number;
}

const SNAPSHOT = "snapshot.jsonl";
const LOG_NAME = /^log-(\d+)\.jsonl$/;
const CHUNK = 64 * 1024;

interface Pending {
  text: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class RecordLog {
  private fh: FileHandle | undefined;
  private pending: Pending[] = [];
  private rotations: Array<(gen: number) => void> = [];
  private draining = false;
  private brokenTail = false;
  private compaction: Promise<void> | undefined;
  private queuedCompaction: Promise<void> | undefined;
  private closed = false;
  private readonly stat: RecordLogStats;
  /** Where compaction reads the current records from (the owner's live data, no copy). */
  source: () => Iterable<RecordEntry> = () => [];

  private constructor(
    readonly dir: string,
    private readonly opts: RecordLogOptions,
    generation: number,
    logBytes: number,
    snapshotBytes: number,
    /** The replayed logs held deletes: their old values are still on disk. */
    readonly replayedDeletes: boolean,
  ) {
    this.stat = { generation, logBytes, snapshotBytes, compactions: 0 };
  }

  /** Replays snapshot and logs into `apply` (in order), then opens for appends. */
  static async open(dir: string, opts: RecordLogOptions, apply: (e: RecordEntry) => void): Promise<RecordLog> {
    await mkdirPrivate(dir);
    // A snapshot that never got renamed in may hold records erased since: never keep it.
    await unlink(join(dir, `${SNAPSHOT}.tmp`)).catch(ignoreMissing);
    const snap = await readSnapshot(join(dir, SNAPSHOT), apply);
    let logBytes = 0;
    let last = snap.next - 1;
    let deletes = false;
    for (const gen of await generations(dir)) {
      const file = join(dir, logName(gen));
      if (gen < snap.next) {
        // Covered by the snapshot: a crash came between its rename and this unlink.
        await unlink(file).catch(ignoreMissing);
        continue;
      }
      const r = await replayLog(file, apply, opts.logger);
      logBytes += r.bytes;
      deletes ||= r.deletes;
      last = Math.max(last, gen);
    }
    await fsyncDir(dir);
    return new RecordLog(dir, opts, last + 1, logBytes, snap.bytes, deletes);
  }

  /**
   * Replays the directory's snapshot and logs into `apply` without changing a file (a reader
   * beside the owner: tools and tests looking at what is on disk). A missing directory is empty.
   */
  static async read(dir: string, apply: (e: RecordEntry) => void, logger: Logger): Promise<void> {
    const names = await readdir(dir).catch((e: unknown) => {
      ignoreMissing(e);
      return [] as string[];
    });
    if (names.length === 0) return;
    const snap = await readSnapshot(join(dir, SNAPSHOT), apply);
    for (const gen of await generations(dir))
      if (gen >= snap.next) await replayLog(join(dir, logName(gen)), apply, logger);
  }

  get stats(): Readonly<RecordLogStats> {
    return { ...this.stat };
  }

  /** Durable when it resolves. The entries are serialised now: later changes to their values are not in it. */
  append(entries: readonly RecordEntry[]): Promise<void> {
    if (this.closed)
      return Promise.reject(
        new DuegateError(ErrorCode.StoreWrite, `Record log ${this.dir} is closed`, { dir: this.dir }),
      );
    let text = "";
    for (const e of entries) text += JSON.stringify(e) + "\n";
    text += `{"commit":${entries.length}}\n`;
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ text, resolve, reject });
      this.kick();
    });
  }

  /**
   * A full compaction that starts after this call; resolves when its snapshot is in place
   * and the older logs are gone (erasure: the deleted records' bytes are then in no file).
   */
  compact(): Promise<void> {
    if (this.queuedCompaction) return this.queuedCompaction;
    const before = this.compaction ?? Promise.resolve();
    const next = before
      .catch(() => undefined)
      .then(() => {
        this.queuedCompaction = undefined;
        return this.runCompaction();
      });
    this.queuedCompaction = next;
    const tracked: Promise<void> = next
      .catch(() => undefined)
      .then(() => {
        if (this.compaction === tracked) this.compaction = undefined;
      });
    this.compaction = tracked;
    return next;
  }

  /** Waits for pending appends and a running compaction, then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    while (this.draining || this.pending.length) await new Promise((r) => setTimeout(r, 5));
    while (this.compaction) await this.compaction;
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length || this.rotations.length) {
        if (this.rotations.length) {
          // Between writes: the previous write is durable, the next one goes to the new file.
          await this.rotate();
          for (const r of this.rotations.splice(0)) r(this.stat.generation);
          continue;
        }
        const batch = this.pending.splice(0);
        const text = batch.length === 1 ? batch[0]!.text : batch.map((b) => b.text).join("");
        try {
          if (this.brokenTail) await this.rotate();
          const created = this.fh === undefined;
          this.fh ??= await openPrivate(join(this.dir, logName(this.stat.generation)), "a");
          await this.fh.write(text);
          await this.fh.sync();
          // A new generation's file: its name in the directory must survive a power cut too.
          if (created) await fsyncDir(this.dir);
          const bytes = Buffer.byteLength(text);
          this.stat.logBytes += bytes;
          countWrite("append", bytes, created ? 2 : 1);
          for (const b of batch) b.resolve();
        } catch (e) {
          // The file may end in part of this batch: later appends go to a new generation so
          // that the torn part stays at a file's end, where replay drops it.
          this.brokenTail = true;
          const err = new DuegateError(
            ErrorCode.StoreWrite,
            `Could not append to ${join(this.dir, logName(this.stat.generation))}: ${errorMessage(e)}`,
            { dir: this.dir },
            { cause: e },
          );
          for (const b of batch) b.reject(err);
        }
        this.maybeCompact();
      }
    } finally {
      this.draining = false;
    }
  }

  private async rotate(): Promise<void> {
    const fh = this.fh;
    this.fh = undefined;
    this.stat.generation++;
    this.brokenTail = false;
    await fh?.close().catch(() => undefined);
  }

  /** The first generation the next snapshot does not cover. */
  private nextGeneration(): Promise<number> {
    return new Promise<number>((resolve) => {
      this.rotations.push(resolve);
      this.kick();
    });
  }

  private maybeCompact(): void {
    if (this.compaction || this.closed) return;
    const { logBytes, snapshotBytes } = this.stat;
    if (logBytes < this.opts.compactMinBytes || logBytes < this.opts.compactRatio * snapshotBytes) return;
    this.compact().catch((e: unknown) =>
      this.opts.logger.error(
        { dir: this.dir, err: errorMessage(e) },
        "store: compaction failed; the log keeps growing and it is tried again after the next append",
      ),
    );
  }

  private async runCompaction(): Promise<void> {
    const started = performance.now();
    const next = await this.nextGeneration();
    const tmp = join(this.dir, `${SNAPSHOT}.tmp`);
    let records = 0;
    let bytes = 0;
    const fh = await openPrivate(tmp, "w");
    try {
      let buf = JSON.stringify({ snapshot: 1, next }) + "\n";
      for (const e of this.source()) {
        buf += JSON.stringify(e) + "\n";
        records++;
        if (buf.length >= CHUNK) {
          bytes += Buffer.byteLength(buf);
          await fh.write(buf);
          buf = "";
        }
      }
      buf += JSON.stringify({ end: records }) + "\n";
      bytes += Buffer.byteLength(buf);
      await fh.write(buf);
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      throw new DuegateError(
        ErrorCode.StoreWrite,
        `Could not write the snapshot ${tmp}: ${errorMessage(e)}`,
        { dir: this.dir },
        { cause: e },
      );
    }
    await fh.close();
    await rename(tmp, join(this.dir, SNAPSHOT));
    await fsyncDir(this.dir);
    countWrite("file", bytes, 2);
    let removed = 0;
    for (const gen of await generations(this.dir)) {
      if (gen >= next) continue;
      const file = join(this.dir, logName(gen));
      removed += (await stat(file).catch(() => ({ size: 0 }))).size;
      await unlink(file).catch(ignoreMissing);
    }
    await fsyncDir(this.dir);
    this.stat.logBytes = Math.max(0, this.stat.logBytes - removed);
    this.stat.snapshotBytes = bytes;
    this.stat.compactions++;
    this.opts.logger.info(
      {
        dir: this.dir,
        records,
        snapshotBytes: bytes,
        logBytesRemoved: removed,
        ms: Math.round(performance.now() - started),
      },
      "store: record log compacted",
    );
  }
}

function logName(gen: number): string {
  return `log-${String(gen).padStart(6, "0")}.jsonl`;
}

async function generations(dir: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir(dir)) {
    const m = LOG_NAME.exec(name);
    if (m) out.push(Number(m[1]));
  }
  return out.sort((a, b) => a - b);
}

async function readSnapshot(path: string, apply: (e: RecordEntry) => void): Promise<{ next: number; bytes: number }> {
  const size = await stat(path).then(
    (s) => s.size,
    (e: unknown) => {
      ignoreMissing(e);
      return -1;
    },
  );
  if (size < 0) return { next: 0, bytes: 0 };
  let next = -1;
  let records = 0;
  let end = -1;
  let lineNo = 0;
  const corrupt = (problem: string): DuegateError =>
    new DuegateError(
      ErrorCode.StoreCorrupt,
      `Snapshot ${path} is unreadable at line ${lineNo} (${problem}); restore the data directory from a backup`,
      { file: path, line: lineNo },
    );
  for await (const line of lines(path)) {
    lineNo++;
    if (end >= 0) throw corrupt("text after the end mark");
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      throw corrupt(errorMessage(e));
    }
    if (lineNo === 1) {
      const h = v as { snapshot?: unknown; next?: unknown };
      if (h.snapshot !== 1 || typeof h.next !== "number") throw corrupt("no snapshot header");
      next = h.next;
    } else if (Array.isArray(v)) {
      if (typeof v[0] !== "string" || typeof v[1] !== "string") throw corrupt("not a record");
      apply(v as RecordEntry);
      records++;
    } else if (typeof (v as { end?: unknown }).end === "number") {
      end = (v as { end: number }).end;
      if (end !== records) throw corrupt(`end mark counts ${end} records, read ${records}`);
    } else throw corrupt("not a record");
  }
  // The snapshot is renamed in only once complete: a missing end mark is damage, not a crash.
  if (end < 0) throw corrupt("no end mark");
  return { next, bytes: size };
}

async function replayLog(
  path: string,
  apply: (e: RecordEntry) => void,
  logger: Logger,
): Promise<{ bytes: number; deletes: boolean }> {
  let held: RecordEntry[] = [];
  let bad: { line: number; problem: string } | undefined;
  let lineNo = 0;
  let deletes = false;
  for await (const line of lines(path)) {
    lineNo++;
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch (e) {
      bad ??= { line: lineNo, problem: errorMessage(e) };
      continue;
    }
    if (Array.isArray(v) && typeof v[0] === "string" && typeof v[1] === "string") {
      held.push(v as RecordEntry);
      continue;
    }
    const commit = (v as { commit?: unknown } | null)?.commit;
    if (typeof commit !== "number") {
      bad ??= { line: lineNo, problem: "neither a record nor a commit" };
      continue;
    }
    if (bad || commit !== held.length)
      throw new DuegateError(
        ErrorCode.StoreCorrupt,
        `Record log ${path} is damaged at line ${bad?.line ?? lineNo} (${bad?.problem ?? `commit of ${commit} after ${held.length} records`}); restore the data directory from a backup`,
        {
          file: path,
          line: bad?.line ?? lineNo,
        },
      );
    for (const e of held) {
      if (e.length < 3) deletes = true;
      apply(e);
    }
    held = [];
  }
  if (held.length || bad)
    logger.warn(
      { file: path, droppedRecords: held.length, fromLine: bad?.line },
      "store: the record log ends in an append that never completed (a crash while writing); it was never acknowledged and is dropped",
    );
  return { bytes: (await stat(path)).size, deletes };
}

async function* lines(path: string): AsyncIterable<string> {
  const rl = createInterface({ input: createReadStream(path, { encoding: "utf8" }), crlfDelay: Infinity });
  for await (const line of rl) if (line.length > 0) yield line;
}
