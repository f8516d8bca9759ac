/**
 * What the sealed session cookie holds, and the CSRF token that guards it.
 *
 * The cookie carries the id of a session kept by the auth service (src/auth/sessions.ts), not
 * the session itself: logout deletes it there, so a copy of the cookie is worthless afterwards.
 *
 * CSRF: synchronizer token. At login a random token is put in the session (the cookie is
 * encrypted and HttpOnly, so a script on another site can neither read nor forge it) and
 * returned to the panel, which sends it back in the `x-csrf-token` header of every unsafe
 * request. SameSite=Strict already keeps the cookie off cross-site requests; the token is
 * the second lock for browsers or proxies that do not honour SameSite.
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyRequest } from "fastify";

import { SESSION_LIFETIME_MS } from "../../auth/index.js";

/** Absolute lifetime of a panel session (the auth service ends it server-side then too). */
export const SESSION_MAX_AGE_MS = SESSION_LIFETIME_MS;
export const SESSION_COOKIE = "duegate_session";
export const CSRF_HEADER = "x-csrf-token";

export interface SessionContent {
  /** The server-side session's id (random, 256 bits). */
  sid: string;
  issuedAt: number;
  csrf: string;
}

declare module "@fastify/secure-session" {
  interface SessionData {
    sid: string;
    issuedAt: number;
    csrf: string;
  }
}

export function readSession(request: FastifyRequest): SessionContent | undefined {
  const s = request.session;
  if (!s) return undefined;
  // A cookie sealed by an older version may hold anything: check each field.
  const sid: unknown = s.get("sid");
  const issuedAt: unknown = s.get("issuedAt");
  const csrf: unknown = s.get("csrf");
  if (typeof sid !== "string" || typeof issuedAt !== "number" || typeof csrf !== "string") return undefined;
  return { sid, issuedAt, csrf };
}

export function writeSession(request: FastifyRequest, content: Omit<SessionContent, "csrf">): string {
  // A fresh session at login: nothing from before the login survives (session fixation).
  request.session.regenerate();
  const csrf = randomBytes(24).toString("base64url");
  request.session.set("sid", content.sid);
  request.session.set("issuedAt", content.issuedAt);
  request.session.set("csrf", csrf);
  return csrf;
}

export function csrfMatches(expected: string, header: string | string[] | undefined): boolean {
  if (typeof header !== "string") return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(header);
  return a.length === b.length && timingSafeEqual(a, b);
}
