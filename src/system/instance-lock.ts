import { openSync, writeSync, closeSync, readFileSync, unlinkSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { DuegateError, ErrorCode } from "../core/errors.js";

/**
 * One service per data directory: two processes writing the same outbox would send twice.
 * The lock file holds the pid; a lock left by a dead process (kill -9, power cut) is taken over.
 */
export function acquireInstanceLock(dataDir: string): { release(): void; path: string } {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const path = join(dataDir, "duegate.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return {
        path,
        release: () => {
          try {
            if (readFileSync(path, "utf8") === String(process.pid)) unlinkSync(path);
          } catch {
            /* already gone */
          }
        },
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
      const pid = Number(readFileSync(path, "utf8"));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isAlive(pid)) {
        throw new DuegateError(
          ErrorCode.ConfigInvalid,
          `data directory ${dataDir} is in use by process ${pid}; stop it first (or choose another --data)`,
          { dataDir, pid },
        );
      }
      unlinkSync(path);
    }
  }
  throw new DuegateError(ErrorCode.StoreWrite, `cannot take the lock ${path}`, { path });
}

export function lockHolder(dataDir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dataDir, "duegate.lock"), "utf8"));
    return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
