/**
 * GET /health for uptime checkers and systemd watchdogs: 200 when the appliance can send
 * (the modem ready or degraded, the outbox's folder writable with room left), else 503 and
 * the parts that are not, so that the checker's alert already says where to look.
 */
import { join } from "node:path";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "@sinclair/typebox";
import type { ModemHealthEvent } from "../api/events.js";
import { probeStorage, type StorageHealth } from "../system/storage-probe.js";

export interface HealthSources {
  readonly modem: { health(): ModemHealthEvent };
  readonly config: { gateway: { dataDir: string } };
}

export interface HealthReport {
  status: "ok" | "unhealthy";
  /** The parts that are not healthy: "modem", "storage". */
  unhealthy: string[];
  modem: { ok: boolean; state: ModemHealthEvent["state"]; lastError?: string };
  storage: { ok: boolean; reason?: string };
}

/** A degraded modem (weak signal, roaming) still sends; starting, recovering and offline do not. */
const SENDING_STATES: ReadonlySet<ModemHealthEvent["state"]> = new Set(["ready", "degraded"]);

export function healthReport(s: HealthSources, storage: (dir: string) => StorageHealth = probeStorage): HealthReport {
  const m = s.modem.health();
  const modemOk = SENDING_STATES.has(m.state);
  const st = storage(join(s.config.gateway.dataDir, "outbox"));
  const unhealthy = [...(modemOk ? [] : ["modem"]), ...(st.ok ? [] : ["storage"])];
  return {
    status: unhealthy.length ? "unhealthy" : "ok",
    unhealthy,
    modem: { ok: modemOk, state: m.state, ...(!modemOk && m.lastError ? { lastError: m.lastError } : {}) },
    storage: st.ok ? { ok: true } : { ok: false, reason: st.reason },
  };
}

const HealthSchema = Type.Object({
  status: Type.Union([Type.Literal("ok"), Type.Literal("unhealthy")]),
  unhealthy: Type.Array(Type.String(), { description: "the parts that are not healthy: modem, storage" }),
  modem: Type.Object({ ok: Type.Boolean(), state: Type.String(), lastError: Type.Optional(Type.String()) }),
  storage: Type.Object({ ok: Type.Boolean(), reason: Type.Optional(Type.String()) }),
});

export const healthRoutes: FastifyPluginAsync<{ services: HealthSources }> = async (app, { services: s }) => {
  const schema = { hide: true, response: { 200: HealthSchema, 503: HealthSchema } };
  app.get("/health", { config: { scope: "public" }, schema }, async (_request, reply) => {
    const report = healthReport(s);
    return reply
      .code(report.status === "ok" ? 200 : 503)
      .header("cache-control", "no-store")
      .send(report);
  });
};
