/**
 * Who may call what. Every request is identified (API key or session cookie) and then
 * checked against the scope its route needs. The default is deny: anything under /api/
 * needs `read` for GET/HEAD and `write` for other methods, unless the route says
 * otherwise with `config: { scope }` ("public" or one of the scopes in src/auth/types.ts).
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import { grants, type AuthService, type Principal, type Scope } from "../../auth/index.js";
import { ErrorCode } from "../../core/errors.js";
import type { Clock } from "../../core/clock.js";
import { sendError } from "./errors.js";
import { CSRF_HEADER, SESSION_MAX_AGE_MS, csrfMatches, readSession } from "./session.js";

export type RouteScope = Scope | "public";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface Identified {
  principal: Principal | null;
  /** The session's CSRF token when the caller came with a cookie; API-key callers have none. */
  csrf?: string;
  /** Set when a Bearer key was given but is unknown. */
  badKey?: boolean;
}

export function identify(request: FastifyRequest, auth: AuthService, clock: Clock): Identified {
  const header = request.headers.authorization;
  if (typeof header === "string" && /^bearer\s/i.test(header)) {
    const principal = auth.authenticateKey(header.slice(7).trim());
    return principal ? { principal } : { principal: null, badKey: true };
  }
  const session = readSession(request);
  if (!session) return { principal: null };
  if (clock.now() - session.issuedAt > SESSION_MAX_AGE_MS || session.issuedAt > clock.now() + 60_000)
    return { principal: null };
  // Checked against the auth service on every request: a session ended by logout, a password
  // change or the user's removal is refused even though its cookie is still sealed correctly.
  const principal = auth.sessionPrincipal(session.sid);
  return principal ? { principal, csrf: session.csrf } : { principal: null };
}

/** The scope a request needs when its route does not say. */
export function defaultScope(method: string, url: string): RouteScope {
  if (!url.startsWith("/api/")) return "public";
  return SAFE_METHODS.has(method) ? "read" : "write";
}

/** Refuses the request (and returns true) when the principal lacks the scope, or a cookie caller lacks the CSRF token. */
export function refuse(request: FastifyRequest, reply: FastifyReply, scope: RouteScope, id: Identified): boolean {
  if (id.badKey) {
    sendError(reply, 401, ErrorCode.Unauthorized, "unknown or revoked API key");
    return true;
  }
  if (scope === "public") return false;
  const p = id.principal;
  if (!p) {
    sendError(reply, 401, ErrorCode.Unauthorized, "log in or send an API key (Authorization: Bearer <key>)");
    return true;
  }
  if (!grants(p.scopes, scope)) {
    sendError(
      reply,
      403,
      ErrorCode.Forbidden,
      `${p.kind === "apikey" ? "this API key" : `role "${p.role}"`} lacks the "${scope}" permission`,
    );
    return true;
  }
  if (
    id.csrf !== undefined &&
    !SAFE_METHODS.has(request.method) &&
    !csrfMatches(id.csrf, request.headers[CSRF_HEADER])
  ) {
    sendError(reply, 403, ErrorCode.Forbidden, `missing or wrong ${CSRF_HEADER} header (reload the page)`);
    return true;
  }
  return false;
}
