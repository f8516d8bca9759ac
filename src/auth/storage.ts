/**
 * The auth file is kept by src/store's JsonStore (atomic writes, .bak). This is the part of
 * its API used here, so that tests can pass an in-memory store and the service does not
 * care how the file is written.
 */
import { join } from "node:path";
import type { Logger } from "../core/log.js";

export interface AuthStore<T> {
  readonly data: T;
  markDirty(): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type AuthStoreOpener = <T>(path: string, defaults: T) => Promise<AuthStore<T>>;

export function jsonStoreOpener(logger: Logger): AuthStoreOpener {
  return async <T>(path: string, defaults: T) => {
    const { JsonStore } = await import("../store/index.js");
    // Changes here are rare (a user added, a key made): each is flushed at once anyway.
    return JsonStore.open<T>(path, defaults, { logger, coalesceMs: 1000 });
  };
}

export function authFile(dataDir: string): string {
  return join(dataDir, "auth.json");
}

/** For tests: a store that keeps its data in memory, optionally shared between opens to simulate a restart. */
export function memoryStoreOpener(files = new Map<string, unknown>()): AuthStoreOpener {
  return async <T>(path: string, defaults: T) => {
    const data = (files.get(path) as T | undefined) ?? structuredClone(defaults);
    files.set(path, data);
    return { data, markDirty() {}, async flush() {}, async close() {} };
  };
}
