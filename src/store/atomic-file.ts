import { open, rename, unlink, link, copyFile, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Adapter } from "lowdb";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { countWrite } from "./io-stats.js";
import { mkdirPrivate, openPrivate } from "./private-files.js";

/**
 * A lowdb adapter that never leaves a half-written file behind (power loss on an SD card):
 * the new content goes to `<file>.tmp`, is fsynced, the current file becomes `<file>.bak`
 * by a hard link (no bytes copied), the tmp file is renamed over the file and the directory
 * is fsynced so that the rename itself survives a power cut. rename(2) is atomic on POSIX
 * file systems, so a reader sees either the old or the new content, never a mix.
 *
 * Reading checks that the file parses; an empty, truncated or garbled file is reported at
 * error level and the .bak is used instead. If both are unreadable the store refuses to
 * start (StoreCorrupt) rather than silently starting empty and losing accepted work.
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  /** Bytes this file has written since it was opened. */
  bytesWritten = 0;

  constructor(
    readonly path: string,
    private readonly logger: Logger,
  ) {}

  get bakPath(): string {
    return `${this.path}.bak`;
  }

  async read(): Promise<T | null> {
    const main = await readJson<T>(this.path);
    if (main.ok) return main.value;
    const bak = await readJson<T>(this.bakPath);
    if (main.missing) {
      if (bak.ok) {
        this.logger.error(
          { file: this.path },
          "store: file missing but its .bak exists; using the last good copy (was the data directory tampered with?)",
        );
        return bak.value;
      }
      return null;
    }
    // The file exists but is not valid JSON: a torn write or a failing card.
    const keep = `${this.path}.corrupt-${Date.now()}`;
    await copyFile(this.path, keep).catch(() => undefined);
    if (bak.ok) {
      this.logger.error(
        { file: this.path, problem: main.problem, keptAs: keep },
        "STORE CORRUPT: the file is unreadable; the last good copy (.bak) is used. Changes since that copy are lost. Check the SD card.",
      );
      return bak.value;
    }
    this.logger.fatal(
      { file: this.path, problem: main.problem, bak: bak.missing ? "missing" : bak.problem },
      "STORE CORRUPT: the file and its .bak are both unreadable",
    );
    throw new DuegateError(
      ErrorCode.StoreCorrupt,
      `Data file ${this.path} is unreadable (${main.problem}) and has no usable .bak; restore it from a backup or move it away to start empty`,
      {
        file: this.path,
        keptAs: keep,
      },
    );
  }

  async write(data: T): Promise<void> {
    await this.writeText(JSON.stringify(data));
  }

  async writeText(text: string): Promise<void> {
    await this.prepare(text);
    await this.commit();
    await this.syncDir();
  }

  /** Step 1 of a write: the new content, durable in `<file>.tmp`. */
  async prepare(text: string): Promise<void> {
    const tmp = `${this.path}.tmp`;
    try {
      await mkdirPrivate(dirname(this.path));
      // 0600 on the tmp file: the rename gives the file its mode too.
      const fh = await openPrivate(tmp, "w");
      try {
        await fh.writeFile(text, "utf8");
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (e) {
      throw this.writeError(e);
    }
    const bytes = Buffer.byteLength(text);
    this.bytesWritten += bytes;
    countWrite("file", bytes, 1);
  }

  /** Step 2: the old content becomes .bak and the tmp file takes the file's name (atomic). */
  async commit(): Promise<void> {
    try {
      await this.keepBak();
      await rename(`${this.path}.tmp`, this.path);
    } catch (e) {
      throw this.writeError(e);
    }
  }

  /** Step 3: the renames in the directory are durable. Several files may share one. */
  async syncDir(): Promise<void> {
    try {
      await fsyncDir(dirname(this.path));
    } catch (e) {
      throw this.writeError(e);
    }
    countWrite("sync", 0, 1);
  }

  private writeError(e: unknown): DuegateError {
    return new DuegateError(
      ErrorCode.StoreWrite,
      `Could not write ${this.path}: ${errorMessage(e)}`,
      { file: this.path },
      { cause: e },
    );
  }

  /** Removes the file and its .bak (a finished record leaving the hot set). */
  async remove(): Promise<void> {
    await this.removeFiles();
    await fsyncDir(dirname(this.path)).catch(() => undefined);
  }

  /**
   * Unlinks a stray tmp, the .bak, then the file; the caller syncs the directory. The current
   * file goes last: a kill in between leaves the latest state, never the older .bak that a
   * reader would fall back to (a finished message coming back in an earlier state).
   */
  async removeFiles(): Promise<void> {
    for (const p of [`${this.path}.tmp`, this.bakPath, this.path]) await unlink(p).catch(ignoreMissing);
  }

  /** The current file becomes .bak: a hard link costs no data bytes; copy where links are not supported (FAT). */
  private async keepBak(): Promise<void> {
    await unlink(this.bakPath).catch(ignoreMissing);
    try {
      await link(this.path, this.bakPath);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return;
      if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EXDEV") {
        await copyFile(this.path, this.bakPath);
        return;
      }
      throw e;
    }
  }
}

type ReadResult<T> = { ok: true; value: T } | { ok: false; missing: boolean; problem: string };

async function readJson<T>(path: string): Promise<ReadResult<T>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return { ok: false, missing: true, problem: "missing" };
    return { ok: false, missing: false, problem: errorMessage(e) };
  }
  if (text.trim() === "") return { ok: false, missing: false, problem: "empty file" };
  try {
    return { ok: true, value: JSON.parse(text) as T };
  } catch (e) {
    return { ok: false, missing: false, problem: `not valid JSON (${errorMessage(e)}, ${text.length} bytes)` };
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  let fh;
  try {
    fh = await open(dir, "r");
    await fh.sync();
  } catch (e) {
    // Some file systems refuse fsync on a directory; the rename is still atomic there.
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== "EISDIR" && code !== "EINVAL" && code !== "EPERM" && code !== "EBADF") throw e;
  } finally {
    await fh?.close();
  }
}

export function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
}
