/** Page data for the panel's dashboard and modem page. */
import type { FastifyPluginAsync } from "fastify";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { WebServices } from "./ports.js";
import { dashboard } from "./dashboard.js";
import { setting } from "./settings-view.js";
import type { SerialPortInfo } from "./ports.js";

function need<T>(service: T | undefined, name: string): T {
  if (!service)
    throw new DuegateError(ErrorCode.NotFound, `${name} is not running on this appliance`, { service: name });
  return service;
}

export const panelReadRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services: s }) => {
  app.get("/api/v1/panel/dashboard", { config: { scope: "read" } }, async () => dashboard(s));

  app.get("/api/v1/panel/modem", { config: { scope: "read" } }, async () => ({
    health: s.modem?.health() ?? null,
    ports: await detectedPorts(s),
    port: setting(s.config, "modem.port", ""),
    profile: setting(s.config, "modem.profile", ""),
    baudRate: setting(s.config, "modem.baudRate", 0),
    consoleAvailable: typeof s.modem?.console === "function",
    doctorAvailable: typeof s.modem?.diagnose === "function",
  }));

  // The doctor's checks through the running driver (queued behind sends), so the port need not be freed.
  app.get("/api/v1/panel/modem/doctor", { config: { scope: "read" } }, async () => {
    const modem = need(s.modem, "the modem");
    if (!modem.diagnose) throw new DuegateError(ErrorCode.NotFound, "this modem driver cannot diagnose itself", {});
    return { ...(await modem.diagnose()), at: s.clock.now() };
  });
};

/** Serial ports seen by the system (read-only: nothing is opened), for choosing modem.port. */
async function detectedPorts(s: Pick<WebServices, "serialPorts">): Promise<SerialPortInfo[] | { error: string }> {
  if (!s.serialPorts) return [];
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("port listing took over 3 s")), 3000).unref(),
    );
    return await Promise.race([s.serialPorts(), timeout]);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
