/**
 * GET /api/v1/clock, which the panel's header reads: the appliance's time and zone, and
 * the demo's own clock only when the demo runs on one (`--clock` shifted, `--fast` time-lapse).
 * Over a real socket, with a session.
 */
import { afterEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { authPlugin } from "../../src/http/auth/index.js";
import { webPlugin, type WebServices } from "../../src/http/web/index.js";
import { shiftedClock } from "../../src/demo/demo-clock.js";
import type { DemoClockInfo } from "../../src/demo/demo-clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import type { Clock } from "../../src/core/clock.js";
import { systemClock } from "../../src/core/clock.js";

const PASSWORD = "correct horse battery";
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start(clock: Clock, demoClock?: DemoClockInfo) {
  const services: WebServices = {
    clock,
    bus: new EventBus<DomainEvents>(),
    config: { gateway: { defaultTimeZone: "Europe/Berlin" } },
    ...(demoClock ? { demoClock } : {}),
  };
  const auth = await AuthService.open({
    dataDir: "/d",
    logger: silentLogger(),
    clock: systemClock,
    adminPassword: PASSWORD,
    openStore: memoryStoreOpener(),
  });
  app = Fastify();
  await app.register(authPlugin, { auth, secureCookies: false });
  await app.register(webPlugin, { services });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const login = await fetch(`${url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name: "admin", password: PASSWORD }),
  });
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { url, cookie };
}

describe("the clock the panel's header shows", () => {
  it("is no demo clock on an appliance", async () => {
    const { url, cookie } = await start(systemClock);
    const res = await fetch(`${url}/api/v1/clock`, { headers: { cookie } });
    const body = (await res.json()) as { now: number; timeZone: string; demo: unknown };
    expect(body.demo).toBeNull();
    expect(body.timeZone).toBe("Europe/Berlin");
    expect(Math.abs(body.now - Date.now())).toBeLessThan(60_000);
  });

  it("is the demo's shifted clock under --clock, at normal speed", async () => {
    const at = Date.parse("2026-12-07T05:00:00+01:00");
    const { url, cookie } = await start(shiftedClock(at), { mode: "shifted", speed: 1 });
    const body = (await (await fetch(`${url}/api/v1/clock`, { headers: { cookie } })).json()) as {
      now: number;
      demo: DemoClockInfo;
    };
    expect(body.demo).toEqual({ mode: "shifted", speed: 1 });
    expect(body.now - at).toBeGreaterThanOrEqual(0);
    expect(body.now - at).toBeLessThan(60_000);
  });

  it("needs a session", async () => {
    const { url } = await start(systemClock);
    expect((await fetch(`${url}/api/v1/clock`)).status).toBe(401);
  });
});
