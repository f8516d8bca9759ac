/**
 * The auth file is a document of the data directory's store (src/store/storage.ts: atomic
 * writes, .bak). This is the part of its API used here, so that tests can pass an in-memory
 * store and the service does not care how the file is written.
 */
import { join } from "node:path";

export interface AuthStore<T> {
  readonly data: T;
  markDirty(): void;
  flush(): Promise<void>;
  close(): Promise<void>;
}

export type AuthStoreOpener = <T>(path: string, defaults: T) => Promise<AuthStore<T>>;

/** The auth document's name in the data directory. */
export const AUTH_FILE = "auth.json";

export function authFile(dataDir: string): string {
  return join(dataDir, AUTH_FILE);
}

/** For tests: a store that keeps its data in memory, optionally shared between opens to simulate a restart. */
export function memoryStoreOpener(files = new Map<string, unknown>()): AuthStoreOpener {
  return async <T>(path: string, defaults: T) => {
    const data = (files.get(path) as T | undefined) ?? structuredClone(defaults);
    files.set(path, data);
    return { data, markDirty() {}, async flush() {}, async close() {} };
  };
}
