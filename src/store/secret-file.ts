/**
 * A small JSON file holding secrets (hashes, keys): in a directory only the service may enter
 * (0700), readable by the service alone (0600), replaced atomically (tmp, fsync, rename) so a
 * power cut leaves the old or the new content, never half of one.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { chmod, open, rename } from "node:fs/promises";
import { dirname } from "node:path";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";

export class SecretFile<T> {
  constructor(readonly path: string) {}

  /** The content, or undefined when the file does not exist yet. */
  read(): T | undefined {
    if (!existsSync(this.path)) return undefined;
    try {
      return JSON.parse(readFileSync(this.path, "utf8")) as T;
    } catch (e) {
      throw new DuegateError(
        ErrorCode.StoreCorrupt,
        `${this.path} is unreadable (${errorMessage(e)}): move it away to have new credentials generated`,
        { file: this.path },
      );
    }
  }

  async write(data: T): Promise<void> {
    const dir = dirname(this.path);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode applies only when it creates the directory, and through the umask.
    chmodSync(dir, 0o700);
    const tmp = `${this.path}.tmp`;
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(JSON.stringify(data, null, 2) + "\n");
      await fh.sync();
    } finally {
      await fh.close();
    }
    await chmod(tmp, 0o600);
    await rename(tmp, this.path);
  }
}
