/**
 * GET /api/v1/live: the domain events as server-sent events for the panel, masked (numbers
 * shortened, texts and amounts left out, as in the log), plus a snapshot on connect so that
 * the dashboard shows something before the first event. SSE rather than a WebSocket: one
 * direction is all the panel needs, EventSource reconnects by itself and passes the cookie.
 */
import { Type } from "@sinclair/typebox";
import type { ServerResponse } from "node:http";
import type { FastifyPluginAsync } from "fastify";
import { maskDeep } from "../../core/mask.js";
import { ErrorAnswer } from "../schemas.js";
import type { WebServices } from "./ports.js";

const MAX_CLIENTS = 20;
const HEARTBEAT_MS = 25_000;
/** A client that reads slower than this much buffered output is dropped; EventSource reconnects. */
const MAX_BUFFERED = 1_000_000;
/** How often an open stream checks that its session still exists (logout, password change, user removed). */
const SESSION_CHECK_MS = 5_000;

let connection = 0;

export function snapshot(services: WebServices): Record<string, unknown> {
  return {
    health: services.modem?.health() ?? null,
    modems: services.modems?.list() ?? null,
    stats: services.outbox?.stats() ?? null,
    version: services.version ?? null,
    startedAt: services.startedAt ?? null,
    at: services.clock.now(),
  };
}

export const liveRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services }) => {
  let clients = 0;
  const open = new Set<ServerResponse>();
  // Hijacked streams would hold app.close() forever: end them first.
  app.addHook("preClose", async () => {
    for (const res of open) res.end();
  });
  const stream = {
    response: { 200: Type.String({ description: "text/event-stream of domain events" }), 503: ErrorAnswer },
  };
  app.get("/api/v1/live", { config: { scope: "read" }, schema: stream }, async (request, reply) => {
    if (clients >= MAX_CLIENTS)
      return reply.code(503).send({ error: { code: "http.busy", message: `at most ${MAX_CLIENTS} live connections` } });
    clients++;
    const owner = `web-live-${++connection}`;
    reply.hijack();
    const res = reply.raw;
    open.add(res);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      "x-content-type-options": "nosniff",
    });
    // A stream outlives the request's auth check: it ends once the session or key does.
    const authorized = () => {
      if (request.stillAuthorized()) return true;
      res.end();
      return false;
    };
    const send = (event: string, data: unknown) => {
      if (res.writableLength > MAX_BUFFERED) return void res.destroy();
      if (!authorized()) return;
      res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    res.write("retry: 3000\n\n");
    send("snapshot", snapshot(services));
    services.bus.onAny(owner, (event, payload) => {
      send(event, maskDeep(payload));
      // Counts change with every message state: send them along so the tiles stay right.
      if (event === "message.state" && services.outbox) send("stats", services.outbox.stats());
    });
    // Transport keep-alive through proxies, not a domain timer: real time is right here.
    const heartbeat = setInterval(() => res.write(": ping\n\n"), HEARTBEAT_MS);
    heartbeat.unref();
    const sessionCheck = setInterval(authorized, SESSION_CHECK_MS);
    sessionCheck.unref();
    const close = () => {
      clearInterval(heartbeat);
      clearInterval(sessionCheck);
      open.delete(res);
      services.bus.removeAll(owner);
      clients--;
    };
    request.raw.once("close", close);
  });
};
