/**
 * /contract.js: the lists the panel shares with the server (message states, the live feed's
 * event names), as an ES module written from the server's own tables at start, so that the browser code never carries a hand copy that drifts
 * (a message state added in src/core/message-states.ts appears in the panel's filter at once).
 * Public like the other assets: it is code, not data.
 */
import type { FastifyPluginAsync } from "fastify";
import { MESSAGE_STATES } from "../../core/message-states.js";
import { EVENT_NAMES } from "../../api/events.js";

/** What /api/v1/live sends besides the domain events (src/http/web/live.ts). */
const LIVE_ONLY = ["snapshot", "stats"] as const;

export function contractModule(): string {
  return [
    "// Written by the gateway from src/core/message-states.ts and src/api/events.ts: not a file to edit.",
    `export const MESSAGE_STATES = Object.freeze(${JSON.stringify(MESSAGE_STATES)});`,
    `export const LIVE_EVENTS = Object.freeze(${JSON.stringify([...LIVE_ONLY, ...EVENT_NAMES])});`,
    "",
  ].join("\n");
}

export const contractRoutes: FastifyPluginAsync = async (app) => {
  const body = contractModule();
  app.get("/contract.js", { config: { scope: "public" }, schema: { hide: true } }, async (_request, reply) =>
    reply.header("content-type", "text/javascript; charset=utf-8").header("cache-control", "no-cache").send(body),
  );
};
