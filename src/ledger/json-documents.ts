import { join } from "node:path";
import type { Logger } from "../core/log.js";
import { JsonStore } from "../store/index.js";
import type { DocumentStore, OpenDocument } from "./ports.js";

/** Documents as JSON files in the data directory, written by src/store (atomic, coalesced, .bak). */
export function jsonDocuments(dataDir: string, logger: Logger, coalesceMs = 2000): OpenDocument {
  return async <T>(name: string, defaults: T): Promise<DocumentStore<T>> =>
    JsonStore.open<T>(join(dataDir, name), defaults, { logger, coalesceMs });
}
