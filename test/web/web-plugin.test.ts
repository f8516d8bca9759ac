import { afterEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { request as httpRequest } from "node:http";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { authPlugin } from "../../src/http/auth/index.js";
import { webPlugin, PANEL_PAGES } from "../../src/http/web/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { LogRing, silentLogger } from "../../src/core/log.js";
import type { DomainEvents, ModemHealthEvent } from "../../src/api/events.js";
import { MESSAGE_STATES } from "../../src/core/message-states.js";

const PASSWORD = "correct horse battery";
let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build() {
  const clock = new ManualClock(Date.now());
  const bus = new EventBus<DomainEvents>();
  const logRing = new LogRing(100);
  const health: ModemHealthEvent = {
    state: "ready",
    signal: { rssi: 20, bars: 4 },
    registration: "home",
    operator: "Test",
    simState: "READY",
    at: clock.now(),
  };
  const services = {
    clock,
    bus,
    logRing,
    modem: { health: () => health },
    outbox: {
      stats: () => ({
        queued: 2,
        sending: 0,
        submitted: 0,
        deliveredToday: 3,
        failedToday: 0,
        sentToday: 5,
        partsToday: 5,
        partsThisMonth: 9,
      }),
      list: () => ({ total: 0, items: [] }),
      get: () => undefined,
      enqueue: () => Promise.reject(new Error("not here")),
      cancel: () => Promise.reject(new Error("not here")),
      retry: () => Promise.reject(new Error("not here")),
    },
  };
  const auth = await AuthService.open({
    dataDir: "/d",
    logger: silentLogger(),
    clock,
    adminPassword: PASSWORD,
    openStore: memoryStoreOpener(),
  });
  app = Fastify();
  await app.register(authPlugin, { auth, secureCookies: false, clock });
  await app.register(webPlugin, { services });
  await app.ready();
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/login",
    payload: { name: "admin", password: PASSWORD },
  });
  const cookie = String(res.headers["set-cookie"]).split(";")[0]!;
  return { app, bus, logRing, cookie };
}

describe("web plugin", () => {
  it("serves the message states to the browser without a session, from the server's one list", async () => {
    const { app } = await build();
    const res = await app.inject({ url: "/contract.js" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/javascript/);
    expect(res.body).toContain(`export const MESSAGE_STATES = Object.freeze(${JSON.stringify(MESSAGE_STATES)});`);
  });

  it("redirects every panel page to the login without a session, and serves it with one", async () => {
    const { app, cookie } = await build();
    for (const page of PANEL_PAGES) {
      const anon = await app.inject({ url: page });
      expect(anon.statusCode, page).toBe(302);
      expect(anon.headers.location).toBe(`/login?next=${encodeURIComponent(page)}`);
      const ok = await app.inject({ url: page, headers: { cookie } });
      expect(ok.statusCode, page).toBe(200);
      expect(ok.body).toContain('src="/assets/app/main.js"');
    }
    expect((await app.inject({ url: "/login" })).body).toContain('id="login"');
  });

  it("serves the libraries from node_modules with bare imports rewritten", async () => {
    const { app } = await build();
    const hooks = await app.inject({ url: "/vendor/hooks.mjs" });
    expect(hooks.statusCode).toBe(200);
    expect(hooks.headers["content-type"]).toMatch(/javascript/);
    expect(hooks.body).toContain('from"./preact.mjs"');
    expect(hooks.body).not.toMatch(/from\s*"preact"/);
    for (const f of ["preact.mjs", "htm.mjs", "uplot.mjs", "uplot.css"])
      expect((await app.inject({ url: `/vendor/${f}` })).statusCode, f).toBe(200);
    expect((await app.inject({ url: "/vendor/../package.json" })).statusCode).not.toBe(200);
  });

  it("streams masked domain events to a logged-in client and refuses anonymous ones", async () => {
    const { app, bus, cookie } = await build();
    expect((await app.inject({ url: "/api/v1/live" })).statusCode).toBe(401);
    await app.listen({ port: 0, host: "127.0.0.1" });
    const port = (app.server.address() as { port: number }).port;
    const received: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: "127.0.0.1", port, path: "/api/v1/live", headers: { cookie } }, (res) => {
        expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          received.push(chunk);
          const all = received.join("");
          if (all.includes("event: snapshot") && !all.includes("inbound.received")) {
            bus.emit("inbound.received", {
              id: "in_1",
              from: "+4917612345678",
              text: "I paid yesterday",
              receivedAt: 1,
              accountIds: ["A1"],
              incomplete: false,
            });
          }
          if (all.includes("event: inbound.received")) {
            req.destroy();
            resolve();
          }
        });
      });
      req.on("error", (e) => (received.join("").includes("inbound.received") ? resolve() : reject(e)));
      req.end();
      setTimeout(() => reject(new Error("no event within 5 s")), 5000).unref();
    });
    await done;
    const all = received.join("");
    expect(all).toContain('"state":"ready"');
    expect(all).toContain('"from":"+491********78"');
    expect(all).not.toContain("12345678");
    expect(all).not.toContain("I paid yesterday");
  });
});
