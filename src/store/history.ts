import { open, readdir, unlink, stat } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { join } from "node:path";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { countWrite } from "./io-stats.js";
import { fsyncDir } from "./atomic-file.js";
import { mkdirPrivate, openPrivate, PRIVATE_FILE_MODE } from "./private-files.js";

export interface HistoryOptions {
  retentionDays: number;
  clock: Clock;
  logger: Logger;
}

/** One line of a history file: when it was appended, and the record. */
interface Line<R> {
  at: number;
  record: R;
}

const DAY_MS = 86_400_000;

/**
 * Append-only dated JSONL files, `<name>-YYYY-MM-DD.jsonl` (UTC date of the append), for
 * finished messages, inbound SMS and events. Appends are never rewrites: a day's file only
 * grows, so the card is written once per record. Appends made together share one write and
 * one fsync (group commit); append() resolves when its line is durable. rotate() deletes
 * whole files older than the retention.
 */
export class History<R> {
  private pending: Array<{ line: string; file: string; resolve: () => void; reject: (e: unknown) => void }> = [];
  private draining: Promise<void> | undefined;
  private checkedTail = new Set<string>();
  /** Files whose mode was set this run (0600 also for files an older version left 0644). */
  private modeChecked = new Set<string>();
  private dirReady = false;

  constructor(
    readonly dir: string,
    readonly name: string,
    private readonly opts: HistoryOptions,
  ) {
    if (!/^[A-Za-z0-9_-]+$/.test(name))
      throw new DuegateError(ErrorCode.Validation, `History name "${name}" may only hold letters, digits, - and _`, {
        name,
      });
  }

  fileFor(at: number): string {
    return join(this.dir, `${this.name}-${new Date(at).toISOString().slice(0, 10)}.jsonl`);
  }

  append(record: R): Promise<void> {
    return this.appendMany([record]);
  }

  /**
   * Several records in one write and one fsync (appended in the order given, all in the file
   * of this instant's day); resolves when every line is durable. A failure rejects the lot.
   */
  appendMany(records: readonly R[]): Promise<void> {
    if (records.length === 0) return Promise.resolve();
    const at = this.opts.clock.now();
    let line = "";
    for (const record of records) line += JSON.stringify({ at, record } satisfies Line<R>) + "\n";
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ line, file: this.fileFor(at), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Records in append order, optionally only those appended in [from, to] (ms) and passing filter. */
  async *read(opts: { from?: number; to?: number; filter?: (r: R) => boolean } = {}): AsyncIterable<R> {
    const files = await this.files();
    for (const f of files) {
      if (opts.from !== undefined && f.day + DAY_MS <= opts.from) continue;
      if (opts.to !== undefined && f.day > opts.to) continue;
      const rl = createInterface({ input: createReadStream(f.path, { encoding: "utf8" }), crlfDelay: Infinity });
      let n = 0;
      for await (const text of rl) {
        n++;
        if (text.trim() === "") continue;
        let line: Line<R>;
        try {
          line = JSON.parse(text) as Line<R>;
        } catch {
          // A line torn by a power cut during an append: the rest of the file is fine.
          this.opts.logger.warn({ file: f.path, line: n }, "history: unreadable line skipped (torn append?)");
          continue;
        }
        if (opts.from !== undefined && line.at < opts.from) continue;
        if (opts.to !== undefined && line.at > opts.to) continue;
        if (opts.filter && !opts.filter(line.record)) continue;
        yield line.record;
      }
    }
  }

  /**
   * Deletes day files older than the retention; returns how many were deleted. `now` lets
   * histories that belong together (the outbox's messages and their keys) cut at one moment.
   */
  async rotate(now = this.opts.clock.now()): Promise<number> {
    const cutoff = now - this.opts.retentionDays * DAY_MS;
    let removed = 0;
    for (const f of await this.files()) {
      if (f.day + DAY_MS > cutoff) continue;
      await unlink(f.path).catch(() => undefined);
      this.checkedTail.delete(f.path);
      removed++;
    }
    if (removed > 0) this.opts.logger.info({ history: this.name, removed }, "history: old files removed by retention");
    return removed;
  }

  private async files(): Promise<Array<{ path: string; day: number }>> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw e;
    }
    const re = new RegExp(`^${this.name}-(\\d{4}-\\d{2}-\\d{2})\\.jsonl$`);
    const out: Array<{ path: string; day: number }> = [];
    for (const n of names) {
      const m = re.exec(n);
      if (m) out.push({ path: join(this.dir, n), day: Date.parse(`${m[1]}T00:00:00Z`) });
    }
    return out.sort((a, b) => a.day - b.day);
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        const byFile = new Map<string, typeof batch>();
        for (const p of batch) byFile.set(p.file, [...(byFile.get(p.file) ?? []), p]);
        for (const [file, items] of byFile) {
          try {
            await this.writeLines(file, items.map((i) => i.line).join(""));
            for (const i of items) i.resolve();
          } catch (e) {
            const err = new DuegateError(
              ErrorCode.StoreWrite,
              `Could not append to ${file}: ${errorMessage(e)}`,
              { file },
              { cause: e },
            );
            for (const i of items) i.reject(err);
          }
        }
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async writeLines(file: string, text: string): Promise<void> {
    if (!this.dirReady) {
      await mkdirPrivate(this.dir);
      this.dirReady = true;
    }
    let created = false;
    if (!this.checkedTail.has(file)) {
      // A power cut may have left a torn last line without its newline: start on a fresh line.
      const size = await stat(file).then(
        (s) => s.size,
        () => -1,
      );
      created = size < 0;
      if (size > 0) {
        const fh = await open(file, "r");
        const b = Buffer.alloc(1);
        await fh.read(b, 0, 1, size - 1);
        await fh.close();
        if (b[0] !== 0x0a) text = "\n" + text;
      }
      this.checkedTail.add(file);
    }
    // The first append to a file this run sets its mode; later appends only open it.
    const fh = this.modeChecked.has(file) ? await open(file, "a", PRIVATE_FILE_MODE) : await openPrivate(file, "a");
    this.modeChecked.add(file);
    try {
      await fh.writeFile(text, "utf8");
      await fh.datasync();
    } finally {
      await fh.close();
    }
    if (created) await fsyncDir(this.dir);
    countWrite("append", Buffer.byteLength(text), created ? 2 : 1);
  }
}
