/**
 * Panel sessions kept on the server. The sealed cookie only carries a random session id; the
 * session itself lives here, so that logging out, a password change or removing a user ends
 * it at once, even for a copy of the cookie taken earlier. Only a SHA-256 of each id is
 * stored: a copy of auth.json (a backup) holds no usable session.
 */
import { createHash, randomBytes } from "node:crypto";

export interface SessionRecord {
  /** sha256 hex of the id the cookie carries. */
  idHash: string;
  /** The user's name as stored (compared case-insensitively). */
  user: string;
  createdAt: number;
  expiresAt: number;
}

/** Absolute lifetime of a panel session. */
export const SESSION_LIFETIME_MS = 12 * 60 * 60_000;
/** A user with more sessions than this (many browsers, forgotten logouts) loses the oldest. */
export const MAX_SESSIONS_PER_USER = 10;

export function hashSessionId(id: string): string {
  return createHash("sha256").update(id).digest("hex");
}

/** The sessions of auth.json, changed in place; the caller saves the file after a change. */
export class SessionTable {
  constructor(
    private readonly records: () => SessionRecord[],
    private readonly replace: (next: SessionRecord[]) => void,
    private readonly lifetimeMs = SESSION_LIFETIME_MS,
    private readonly maxPerUser = MAX_SESSIONS_PER_USER,
  ) {}

  /** A new session for `user`; returns the id for the cookie (shown nowhere else). */
  start(user: string, now: number): { id: string; expiresAt: number } {
    const id = randomBytes(32).toString("base64url");
    const expiresAt = now + this.lifetimeMs;
    const lower = user.toLowerCase();
    const live = this.records().filter((s) => s.expiresAt > now);
    const own = live.filter((s) => s.user.toLowerCase() === lower).sort((a, b) => a.createdAt - b.createdAt);
    const dropped = new Set(own.slice(0, Math.max(0, own.length - this.maxPerUser + 1)));
    this.replace([
      ...live.filter((s) => !dropped.has(s)),
      { idHash: hashSessionId(id), user, createdAt: now, expiresAt },
    ]);
    return { id, expiresAt };
  }

  /** The live session with this id, or undefined (unknown, ended or expired). */
  find(id: string, now: number): SessionRecord | undefined {
    const hash = hashSessionId(id);
    const s = this.records().find((r) => r.idHash === hash);
    return s && s.expiresAt > now && s.createdAt <= now + 60_000 ? s : undefined;
  }

  /** Ends one session; true when it existed. */
  end(id: string): boolean {
    const hash = hashSessionId(id);
    const before = this.records();
    const after = before.filter((r) => r.idHash !== hash);
    this.replace(after);
    return after.length !== before.length;
  }

  /** Ends every session of a user; returns how many. */
  endAllOf(user: string): number {
    const lower = user.toLowerCase();
    const before = this.records();
    const after = before.filter((r) => r.user.toLowerCase() !== lower);
    this.replace(after);
    return before.length - after.length;
  }

  /** Forgets expired sessions; true when any was removed. */
  prune(now: number): boolean {
    const before = this.records();
    const after = before.filter((r) => r.expiresAt > now);
    this.replace(after);
    return after.length !== before.length;
  }

  countOf(user: string, now: number): number {
    const lower = user.toLowerCase();
    return this.records().filter((r) => r.user.toLowerCase() === lower && r.expiresAt > now).length;
  }
}
