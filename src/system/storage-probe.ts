/**
 * Whether the outbox can write: its folder exists and is writable (not a card remounted
 * read-only after an error) and the file system has room left. Answered from access(2) and
 * statfs(2), so that a health check polled every few seconds writes nothing to the SD card.
 */
import { accessSync, constants, statfsSync } from "node:fs";
import { errorMessage } from "../core/errors.js";

/** Below this, the next outbox or ledger write may fail (an atomic write needs room for a second copy). */
export const MIN_FREE_BYTES = 8 * 1024 * 1024;

export type StorageHealth = { ok: true; freeBytes: number } | { ok: false; reason: string };

export function probeStorage(dir: string, minFreeBytes = MIN_FREE_BYTES): StorageHealth {
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    return { ok: false, reason: `cannot write to ${dir}: ${errorMessage(e)}` };
  }
  try {
    const fs = statfsSync(dir);
    const freeBytes = Number(fs.bavail) * Number(fs.bsize);
    if (freeBytes < minFreeBytes)
      return {
        ok: false,
        reason: `only ${Math.floor(freeBytes / 1024)} KiB free on the file system of ${dir} (at least ${minFreeBytes / 1024 / 1024} MiB needed)`,
      };
    return { ok: true, freeBytes };
  } catch (e) {
    return { ok: false, reason: `cannot read the free space of ${dir}: ${errorMessage(e)}` };
  }
}
