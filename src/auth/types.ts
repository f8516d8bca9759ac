/**
 * Who may do what on the HTTP API and the web panel. People log in with a password and
 * get a role; machines (the accounting server, scripts) use API keys with scopes.
 */
import type { SessionRecord } from "./sessions.js";

export type Role = "admin" | "clerk" | "viewer";
/** Least to most: a viewer looks, a clerk works the accounts, an admin runs the appliance. */
export const ROLES: readonly Role[] = ["viewer", "clerk", "admin"];
/**
 * read: look; desk: a collections clerk's work on accounts and messages (reply, pause, promise,
 * resolve a dispute, opt a number in or out, a one-off SMS, clear a mark); write: change the ledger
 * and send (accounts, invoices, payments, opt-outs, SMS) and includes desk;
 * policy: change the dunning policy and its templates (what every debtor is told, and when);
 * metrics: read /metrics and nothing else (a Prometheus key); admin: users, keys, settings.
 * policy is apart from write so that the accounting server's key cannot rewrite the reminders.
 */
export type Scope = "read" | "desk" | "write" | "policy" | "metrics" | "admin";
export const SCOPES: readonly Scope[] = ["read", "desk", "write", "policy", "metrics", "admin"];

/** The caller of a request, as the auth plugin decorates `request.principal`. */
export interface Principal {
  kind: "user" | "apikey";
  name: string;
  role: Role;
  scopes: Scope[];
}

export interface UserRecord {
  name: string;
  role: Role;
  /** scrypt$N$r$p$salt$hash (see password.ts); never leaves this folder. */
  passwordHash: string;
  createdAt: number;
  passwordChangedAt: number;
  /** The panel's language this user chose (a code such as "de"); absent until they choose one. */
  language?: string;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, shown in lists so that a technician can tell keys apart. */
  prefix: string;
  /** sha256 hex of the whole key; the key itself is shown once and never stored. */
  hash: string;
  scopes: Scope[];
  createdAt: number;
  lastUsedAt?: number;
}

/** What the panel and the API show about a user: no hash. */
export interface UserView {
  name: string;
  role: Role;
  createdAt: number;
  passwordChangedAt: number;
  /** The panel's language the user chose; absent: the browser's language decides. */
  language?: string;
}

export type ApiKeyView = Omit<ApiKeyRecord, "hash">;

export interface AuthData {
  version: 1;
  users: UserRecord[];
  apiKeys: ApiKeyRecord[];
  /** Base64 of the 32-byte key that seals session cookies; made at first start. */
  sessionKey: string;
  /** Live panel sessions (src/auth/sessions.ts); absent in files written by older versions. */
  sessions?: SessionRecord[];
}

export function scopesOfRole(role: Role): Scope[] {
  if (role === "admin") return [...SCOPES];
  return role === "clerk" ? ["read", "desk"] : ["read"];
}

/** Whether granted scopes allow a route's scope: write includes desk, so an accounting key with write may do a clerk's work. */
export function grants(scopes: readonly Scope[], needed: Scope): boolean {
  return scopes.includes(needed) || (needed === "desk" && scopes.includes("write"));
}
