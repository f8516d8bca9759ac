/**
 * API keys for machines: 32 random bytes, shown once; only their sha256 is stored. A key
 * has enough entropy that a fast hash is right here (no salt or scrypt needed, unlike
 * passwords), and a lookup by hash needs no timing-safe comparison of the secret itself.
 */
import { createHash, randomBytes } from "node:crypto";

export const KEY_PREFIX = "dg_";

export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}
