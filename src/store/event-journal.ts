/**
 * A small append-only journal of events still to deliver (MQTT publisher, webhooks), so
 * that what was emitted while the broker or a webhook receiver was away survives a
 * restart and goes out in order. JSONL: {"s":seq,"i":item} per entry, {"a":[seq...]} per
 * batch of acknowledgements. Writes are coalesced (SD card: docs/architecture.md) and
 * the file is cut back to nothing whenever everything is delivered.
 *
 * The adapters never import this file: they see the EventJournal port (src/service/ports.ts),
 * and the composition root hands them a journal (docs/architecture.md: store/ owns data files).
 */
import { rename, type FileHandle } from "node:fs/promises";
import { readFileSync, existsSync } from "node:fs";
import type { Clock, TimerHandle } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { openPrivate } from "./private-files.js";

/** Satisfies the adapters' EventJournal port (src/service/ports.ts) by shape. */
export class MemoryJournal<T> {
  protected readonly entries = new Map<number, T>();
  protected lastSeq = 0;
  constructor(
    protected readonly maxItems = 100_000,
    protected readonly onDrop: (dropped: number) => void = () => {},
  ) {}

  append(item: T): number {
    const seq = ++this.lastSeq;
    this.entries.set(seq, item);
    if (this.entries.size > this.maxItems) {
      // Bounded: the oldest undelivered entry goes first, loudly (a broker away for days).
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
      this.recordAck(oldest);
      this.onDrop(oldest);
    }
    this.recordAppend(seq, item);
    return seq;
  }

  pending(afterSeq = 0, limit = Number.MAX_SAFE_INTEGER): Array<{ seq: number; item: T }> {
    const out: Array<{ seq: number; item: T }> = [];
    for (const [seq, item] of this.entries) {
      if (seq <= afterSeq) continue;
      out.push({ seq, item });
      if (out.length >= limit) break;
    }
    return out;
  }

  ack(seq: number): void {
    if (this.entries.delete(seq)) this.recordAck(seq);
  }

  get size(): number {
    return this.entries.size;
  }

  protected recordAppend(_seq: number, _item: T): void {}
  protected recordAck(_seq: number): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export interface FileJournalOptions {
  clock: Clock;
  logger: Logger;
  /** Coalescing interval of writes. */
  coalesceMs?: number;
  maxItems?: number;
}

/** How often, at most, a full journal says how many events it dropped (a flow of events must not become a flow of log lines). */
const DROP_LOG_MS = 60_000;

export class FileJournal<T> extends MemoryJournal<T> {
  private buffer: string[] = [];
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private bytes = 0;
  private closed = false;
  private fh: FileHandle;
  /** Entries appended to the file since it was last rewritten with only the pending ones. */
  private appendedSinceCompaction = 0;
  /** Dropped because the journal was full, since start. */
  dropped = 0;
  private droppedLoggedAt = Number.NEGATIVE_INFINITY;
  private droppedSinceLog = 0;

  private constructor(
    private readonly path: string,
    fh: FileHandle,
    private readonly opts: FileJournalOptions,
  ) {
    super(opts.maxItems ?? 100_000, (seq) => this.droppedOne(seq));
    this.fh = fh;
  }

  private droppedOne(seq: number): void {
    this.dropped++;
    this.droppedSinceLog++;
    const now = this.opts.clock.now();
    if (now - this.droppedLoggedAt < DROP_LOG_MS) return;
    this.opts.logger.warn(
      { seq, dropped: this.droppedSinceLog, droppedTotal: this.dropped, maxItems: this.maxItems },
      "event journal full: the oldest undelivered events were dropped",
    );
    this.droppedLoggedAt = now;
    this.droppedSinceLog = 0;
  }

  static async open<T>(path: string, opts: FileJournalOptions): Promise<FileJournal<T>> {
    const loaded = new Map<number, T>();
    let last = 0;
    if (existsSync(path)) {
      const text = readFileSync(path, "utf8");
      for (const line of text.split("\n")) {
        if (!line) continue;
        try {
          const rec = JSON.parse(line) as { s?: number; i?: T; a?: number[] };
          if (typeof rec.s === "number") {
            loaded.set(rec.s, rec.i as T);
            last = Math.max(last, rec.s);
          } else if (Array.isArray(rec.a)) for (const s of rec.a) loaded.delete(s);
        } catch {
          // A torn last line after a power cut: everything before it is intact.
          opts.logger.warn({ path }, "event journal: an unreadable line was skipped (torn write?)");
        }
      }
    }
    // Rewrite compactly at start: only what is still pending, in order.
    const tmp = `${path}.tmp`;
    const t = await openPrivate(tmp, "w");
    const body = [...loaded].map(([s, i]) => JSON.stringify({ s, i }) + "\n").join("");
    await t.writeFile(body);
    await t.sync();
    await t.close();
    await rename(tmp, path);
    const fh = await openPrivate(path, "a");
    const j = new FileJournal<T>(path, fh, opts);
    for (const [s, i] of loaded) j.entries.set(s, i);
    j.lastSeq = last;
    j.bytes = Buffer.byteLength(body);
    if (loaded.size > 0)
      opts.logger.info({ pending: loaded.size }, "event journal: undelivered events from the last run will be sent");
    return j;
  }

  protected override recordAppend(seq: number, item: T): void {
    this.buffer.push(JSON.stringify({ s: seq, i: item }) + "\n");
    this.appendedSinceCompaction++;
    this.schedule();
  }

  private acks: number[] = [];
  protected override recordAck(seq: number): void {
    this.acks.push(seq);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = this.opts.clock.setTimer(this.opts.coalesceMs ?? 200, () => {
      this.timer = undefined;
      void this.flush().catch((e: unknown) => this.opts.logger.error({ err: e }, "event journal write failed"));
    });
  }

  override async flush(): Promise<void> {
    this.writing = this.writing.then(() => this.writeOut());
    return this.writing;
  }

  private async writeOut(): Promise<void> {
    if (this.acks.length) {
      this.buffer.push(JSON.stringify({ a: this.acks }) + "\n");
      this.acks = [];
    }
    if (this.buffer.length === 0) return;
    if (this.entries.size === 0 && this.bytes > 0) {
      // Everything delivered: start the file afresh instead of growing it.
      await this.fh.truncate(0);
      this.bytes = 0;
      this.appendedSinceCompaction = 0;
      this.buffer = [];
      await this.fh.sync();
      return;
    }
    // A full journal under a steady flow appends and drops without end: once the file holds
    // twice the bound of dead entries, it is rewritten with the pending ones only, so its size
    // stays proportional to maxItems.
    if (this.appendedSinceCompaction > 2 * this.maxItems) return this.compact();
    const chunk = this.buffer.join("");
    this.buffer = [];
    await this.fh.write(chunk);
    await this.fh.datasync();
    this.bytes += Buffer.byteLength(chunk);
  }

  private async compact(): Promise<void> {
    this.buffer = [];
    this.appendedSinceCompaction = 0;
    const tmp = `${this.path}.tmp`;
    const t = await openPrivate(tmp, "w");
    const body = [...this.entries].map(([s, i]) => JSON.stringify({ s, i }) + "\n").join("");
    await t.writeFile(body);
    await t.sync();
    await t.close();
    await rename(tmp, this.path);
    await this.fh.close();
    this.fh = await openPrivate(this.path, "a");
    this.bytes = Buffer.byteLength(body);
  }

  /** Bytes in the file now (tests; the bound under a steady flow). */
  get fileBytes(): number {
    return this.bytes;
  }

  override async close(): Promise<void> {
    if (this.closed) return;
    this.timer?.cancel();
    this.timer = undefined;
    await this.flush();
    this.closed = true;
    await this.fh.close();
  }

  get file(): string {
    return this.path;
  }
}
