/**
 * The request budget of each client address (or API key): http.rateLimitPerMinute requests per fixed
 * one-minute window on the API, the panel's data and its pages. It runs as the first
 * onRequest hook of the whole server, before the body is read and before authentication, so
 * that a flood of bad keys or of large bodies is cut as early as a flood of good requests.
 *
 * Not @fastify/rate-limit's route option: that plugin looks at a route's config once, when the
 * route is added, and a limit attached later (in an onRoute hook of an encapsulated context)
 * was never seen. One hook for every request cannot be forgotten by a new route.
 */
import { isIPv6 } from "node:net";
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import type { Clock } from "../core/clock.js";
import { ErrorCode } from "../core/errors.js";
import { hashApiKey } from "../auth/api-keys.js";
import { sendError } from "./errors.js";

const WINDOW_MS = 60_000;
/** Addresses tracked at once; beyond it the oldest window is dropped (an attacker with many addresses gets fresh budgets, never the appliance's memory). */
const MAX_CLIENTS = 10_000;

/** Paths outside the budget: probes (health checkers, Prometheus) and the panel's static files (code and styles, no data). */
const UNCOUNTED = /^\/(health|metrics)(\/|$)|^\/(assets|vendor)\//;

interface Window {
  start: number;
  count: number;
}

export interface Spent {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export class RequestBudget {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly perMinute: () => number,
    private readonly clock: Clock,
  ) {}

  /** Counts one request of `client` and says whether it is within the budget. */
  spend(client: string): Spent {
    const now = this.clock.now();
    const limit = this.perMinute();
    let w = this.windows.get(client);
    if (!w || now - w.start >= WINDOW_MS || now < w.start) {
      this.windows.delete(client);
      if (this.windows.size >= MAX_CLIENTS) this.prune(now);
      w = { start: now, count: 0 };
      // Insertion order is age order: the first key is the oldest window.
      this.windows.set(client, w);
    }
    w.count++;
    const resetSeconds = Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
    return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), resetSeconds };
  }

  get clients(): number {
    return this.windows.size;
  }

  private prune(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(key);
    while (this.windows.size >= MAX_CLIENTS) this.windows.delete(this.windows.keys().next().value as string);
  }
}

/**
 * The key of a client: its IPv4 address, or its IPv6 /64 (one host or LAN segment usually
 * holds a whole /64, and would otherwise get 2^64 budgets).
 */
export function clientKey(ip: string): string {
  const v4mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (v4mapped) return v4mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = ip.includes("::")
    ? [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right]
    : left;
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

/**
 * Whose budget a request spends: a valid API key's own (the accounting server behind the same
 * NAT address as the staff's browsers does not starve the panel, nor they it), else the
 * client address's. An unknown key spends the address's: made-up keys buy no fresh budgets.
 */
export function budgetOwner(request: FastifyRequest, auth: { authenticateKey(key: string): unknown }): string {
  const header = request.headers.authorization;
  if (typeof header === "string" && /^bearer\s/i.test(header)) {
    const key = header.slice(7).trim();
    if (auth.authenticateKey(key)) return `key:${hashApiKey(key)}`;
  }
  return clientKey(request.ip);
}

/** The onRequest hook: the x-ratelimit-* headers on every counted answer, 429 with retry-after beyond. */
export function rateLimitHook(
  budget: RequestBudget,
  owner: (request: FastifyRequest) => string,
): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split("?", 1)[0] ?? "/";
    if (UNCOUNTED.test(path)) return;
    const spent = budget.spend(owner(request));
    reply
      .header("x-ratelimit-limit", spent.limit)
      .header("x-ratelimit-remaining", spent.remaining)
      .header("x-ratelimit-reset", spent.resetSeconds);
    if (spent.allowed) return;
    reply.header("retry-after", spent.resetSeconds);
    return sendError(
      reply,
      429,
      ErrorCode.RateLimited,
      `too many requests from this ${request.headers.authorization ? "API key or " : ""}address: the limit is ${spent.limit} a minute (http.rateLimitPerMinute); try again in ${spent.resetSeconds} s`,
    );
  };
}
