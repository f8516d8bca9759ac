/**
 * The auth adapter: session cookies, API keys, CSRF, security headers and the login rate
 * limit, shared with the whole server (skip-override, like fastify-plugin) so that every
 * route of the API and the panel sits behind it.
 *
 * Decorates `request.principal`. Routes state what they need with `config: { scope }`, the one
 * way to guard a route; without it the default is deny (see guard.ts). A session cookie and an
 * API key are two ways to be a principal, checked by the same scopes.
 */
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import helmet from "@fastify/helmet";
import secureSession from "@fastify/secure-session";
import rateLimit from "@fastify/rate-limit";
import type { AuthService, Principal } from "../../auth/index.js";
import { systemClock, type Clock } from "../../core/clock.js";
import { defaultScope, identify, refuse, type RouteScope } from "./guard.js";
import { authRoutes } from "./routes.js";
import { SESSION_COOKIE, SESSION_MAX_AGE_MS } from "./session.js";
import { REFERENCE_LANGUAGE, type PanelLanguage } from "../panel-languages.js";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
    /**
     * Whether the caller's session or key is still valid now: long-lived responses (the live
     * event stream) ask it again as they go, so that a logout also ends a stream opened before.
     */
    stillAuthorized: () => boolean;
  }
  interface FastifyContextConfig {
    /** What the caller needs; default: read for GET under /api/, write for other methods, public elsewhere. */
    scope?: RouteScope;
  }
}

export interface AuthPluginOptions {
  auth: AuthService;
  /** config http.secureCookies: set behind HTTPS. */
  secureCookies: boolean;
  /** Session expiry is measured on this clock (tests move it). */
  clock?: Clock;
  /** Login attempts per address per minute (HTTP rate limit, in front of the per-user throttle). */
  loginPerMinute?: number;
  /** The panel's languages (src/http/panel-languages.ts); default English only. */
  languages?: readonly PanelLanguage[];
}

const plugin: FastifyPluginAsync<AuthPluginOptions> = async (app: FastifyInstance, opts) => {
  const clock = opts.clock ?? systemClock;
  await app.register(helmet, {
    // The appliance serves everything itself: no CDN, no inline script or style.
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Plain HTTP on a LAN is the common case; HSTS only when the operator says HTTPS.
    strictTransportSecurity: opts.secureCookies ? { maxAge: 15_552_000 } : false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "same-origin" },
  });
  await app.register(secureSession, {
    key: opts.auth.sessionKey(),
    cookieName: SESSION_COOKIE,
    expiry: SESSION_MAX_AGE_MS / 1000,
    cookie: {
      path: "/",
      httpOnly: true,
      sameSite: "strict",
      secure: opts.secureCookies,
      maxAge: SESSION_MAX_AGE_MS / 1000,
    },
  });
  await app.register(rateLimit, { global: false });

  app.decorateRequest("principal", null);
  app.decorateRequest("stillAuthorized", () => false);

  app.addHook("onRequest", async (request, reply) => {
    const id = identify(request, opts.auth, clock);
    request.principal = id.principal;
    request.stillAuthorized = () => identify(request, opts.auth, clock).principal !== null;
    const url = request.url.split("?")[0] ?? "/";
    const scope = request.routeOptions.config?.scope ?? defaultScope(request.method, url);
    if (refuse(request, reply, scope, id)) return reply;
  });

  await app.register(authRoutes, {
    auth: opts.auth,
    clock,
    loginPerMinute: opts.loginPerMinute ?? 10,
    languages: opts.languages ?? [REFERENCE_LANGUAGE],
  });
};

// Same effect as fastify-plugin: the hooks and decorators reach the parent (the whole server).
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("skip-override")] = true;
(plugin as unknown as Record<symbol, unknown>)[Symbol.for("fastify.display-name")] = "duegate-auth";

export const authPlugin = plugin;
export { SESSION_COOKIE, CSRF_HEADER } from "./session.js";
export type { RouteScope } from "./guard.js";
