import { randomUUID, createHash } from "node:crypto";

/** Ids come from one place so that their shape can change in one place. */
export function newId(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** A stable key from its parts: the same step for the same invoice always gives the same key. */
export function idempotencyKey(...parts: ReadonlyArray<string | number>): string {
  return parts.map(String).join(":");
}

export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
