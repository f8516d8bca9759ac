import { createHash } from "node:crypto";
import { Low } from "lowdb";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { AtomicJsonFile } from "./atomic-file.js";

export interface JsonStoreOptions {
  logger: Logger;
  /** At most one write per this interval for markDirty(); flush() writes at once. */
  coalesceMs: number;
}

/**
 * One JSON document in one file (lowdb over AtomicJsonFile). Callers mutate `data` in
 * place, then either markDirty() (written within coalesceMs, several changes in one write:
 * the SD card is spared) or await flush() (durable now: call it before acknowledging
 * anything to a sender). A flush with nothing changed since the last write writes nothing.
 */
export class JsonStore<T> {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private lastDigest = "";
  private closed = false;

  private constructor(
    private readonly db: Low<T>,
    private readonly file: AtomicJsonFile<T>,
    private readonly opts: JsonStoreOptions,
  ) {}

  static async open<T>(path: string, defaults: T, opts: JsonStoreOptions): Promise<JsonStore<T>> {
    const file = new AtomicJsonFile<T>(path, opts.logger);
    const db = new Low<T>(file, structuredClone(defaults));
    await db.read();
    const store = new JsonStore(db, file, opts);
    store.lastDigest = existsData(db.data) ? digest(JSON.stringify(db.data)) : "";
    return store;
  }

  get data(): T {
    return this.db.data;
  }

  get path(): string {
    return this.file.path;
  }

  /** Bytes written to this file since it was opened (benchmarks, metrics). */
  get bytesWritten(): number {
    return this.file.bytesWritten;
  }

  markDirty(): void {
    if (this.closed) {
      this.opts.logger.warn({ file: this.file.path }, "store: change after close is not written");
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush().catch((e: unknown) =>
        this.opts.logger.error(
          { file: this.file.path, err: errorMessage(e) },
          "store: coalesced write failed; will retry on the next change",
        ),
      );
    }, this.opts.coalesceMs);
    this.timer.unref?.();
  }

  /** Durable when it resolves; rejects DuegateError(StoreWrite) when the card refuses. */
  async flush(): Promise<void> {
    if (this.closed)
      throw new DuegateError(ErrorCode.StoreWrite, `Store ${this.file.path} is closed`, { file: this.file.path });
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    // Writes are serialised: one in flight, each one writes the data as it is when it starts.
    const next = this.writing.catch(() => undefined).then(() => this.writeIfChanged());
    this.writing = next;
    return next;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }

  private async writeIfChanged(): Promise<void> {
    const text = JSON.stringify(this.db.data);
    const d = digest(text);
    if (d === this.lastDigest) return;
    await this.file.writeText(text);
    this.lastDigest = d;
  }
}

function digest(text: string): string {
  return createHash("sha1").update(text).digest("base64");
}

function existsData(v: unknown): boolean {
  return v !== undefined && v !== null;
}
