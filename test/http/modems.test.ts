/**
 * The modem pool's REST routes against the real appliance (createApp, three simulated modems,
 * one of them blocked by its network) over loopback HTTP, as a client outside would call them:
 * the list with each modem's figures and why one is out of rotation, one modem, the doctor
 * and the AT console of a chosen modem, the scopes (viewer and clerk may look and run the
 * doctor, never the console), the dashboard over the same list, and the inbound SMS that
 * records the modem it came in on.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppliance, ADMIN_PASSWORD, type Appliance } from "../web/harness.js";
import { ModemSimulator } from "../../src/modem/index.js";
import type { ModemFigures } from "../../src/api/events.js";
import { Priority } from "../../src/outbox/types.js";
import { waitForValue } from "../support/wait.js";
import { callerWith, panelSession, type PanelCall } from "../support/panel-session.js";

let appliance: Appliance;

interface Caller {
  call: PanelCall;
}

/** A caller with a panel session (cookie and CSRF token), or with an API key. */
async function logIn(name: string, password: string): Promise<Caller> {
  return { call: await panelSession(appliance.url, name, password) };
}

function caller(headers: Record<string, string>): Caller {
  return { call: callerWith(appliance.url, headers, 20_000) };
}

let admin: Caller;
let clerk: Caller;
let viewer: Caller;
let readKey: Caller;
const sims = [
  new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 100, ownNumber: "+491700000001" }),
  new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 100, ownNumber: "+491700000002", model: "EC25" }),
  new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 100, ownNumber: "+491700000003" }),
];

beforeAll(async () => {
  appliance = await startAppliance({
    simulators: sims,
    modems: [
      { id: "sim1", port: "sim", number: "+491700000001", limits: { partsPerDay: 400, partsPerMonth: 9000 } },
      { id: "sim2", port: "sim", number: "+491700000002", costPerPart: 0.07 },
      // The cheapest: it gets the first message, and its network refuses it (+CMS ERROR 50).
      { id: "sim3", port: "sim", number: "+491700000003", costPerPart: 0.01 },
    ],
    config: { outbox: { sendWindow: { start: "00:00", end: "23:59" } } },
  });
  expect(appliance.via).toBe("createApp");
  await appliance.auth.createUser("carla", "clerk", "clerk password 123");
  await appliance.auth.createUser("vera", "viewer", "viewer password 123");
  admin = await logIn("admin", ADMIN_PASSWORD);
  clerk = await logIn("carla", "clerk password 123");
  viewer = await logIn("vera", "viewer password 123");
  readKey = caller({ authorization: `Bearer ${(await appliance.auth.createApiKey("reader", ["read"])).key}` });
  sims[2]!.fault.cmsError(50, 1000);
  const pool = appliance.services.modems!;
  await waitForValue("every modem ready", () => pool.list().every((m) => m.health.state === "ready"), 15_000);
  const outbox = appliance.services.outbox as unknown as {
    enqueue(r: unknown): Promise<unknown>;
  };
  await outbox.enqueue({
    idempotencyKey: "modems-test-1",
    to: "+4917655555555",
    text: "A test",
    priority: Priority.direct,
    origin: { kind: "test", requestedBy: "test" },
  });
  await waitForValue("sim3 out of rotation", () => pool.list().find((m) => m.id === "sim3" && !m.inRotation), 15_000);
}, 60_000);

afterAll(async () => {
  await appliance?.stop();
});

describe("/api/v1/modems", () => {
  it("lists every modem with its figures, and why and until when one is out of rotation", async () => {
    const r = await viewer.call("GET", "/api/v1/modems");
    expect(r.status).toBe(200);
    const body = r.body as { total: number; items: ModemFigures[]; serialPorts: unknown[] };
    expect(body.total).toBe(3);
    expect(body.items.map((m) => [m.id, m.number, m.port])).toEqual([
      ["sim1", "+491700000001", "sim"],
      ["sim2", "+491700000002", "sim"],
      ["sim3", "+491700000003", "sim"],
    ]);
    expect(Array.isArray(body.serialPorts)).toBe(true);
    const [one, two, three] = body.items;
    expect(one).toMatchObject({ inRotation: true, limits: { perDay: 400, perMonth: 9000 } });
    expect(one!.health).toMatchObject({ modemId: "sim1", state: "ready", registration: "home" });
    expect(one!.health.signal).toMatchObject({ bars: expect.any(Number), dbm: expect.any(Number) });
    expect(two).toMatchObject({ inRotation: true, costPerPart: 0.07 });
    expect(three).toMatchObject({ inRotation: false, reason: expect.stringContaining("+CMS ERROR 50") });
    expect(three!.retryAt).toBeGreaterThan(Date.now());
    expect(three!.partsToday).toBe(0);
  });

  it("gives one modem, and names the ids there are for an unknown one", async () => {
    const r = await readKey.call("GET", "/api/v1/modems/sim2");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: "sim2", number: "+491700000002", inRotation: true });
    const missing = await readKey.call("GET", "/api/v1/modems/sim9");
    expect(missing.status).toBe(404);
    expect(JSON.stringify(missing.body)).toContain("sim1, sim2, sim3");
  });

  it("runs the doctor on the chosen modem only (any reader), with the signal as the panel draws it", async () => {
    const before = sims.map((s) => s.received.length);
    const r = await viewer.call("POST", "/api/v1/modems/sim2/doctor");
    expect(r.status).toBe(200);
    const report = r.body as { modemId: string; checks: Array<{ name: string; ok: boolean; detail: string }> };
    expect(report.modemId).toBe("sim2");
    expect(report.checks.find((c) => c.name === "model / firmware")!.detail).toMatch(/^EC25/);
    expect(report.checks.find((c) => c.name === "signal")).toMatchObject({
      ok: true,
      signal: { bars: expect.any(Number), dbm: expect.any(Number) },
    });
    const cimi = (i: number) => sims[i]!.received.slice(before[i]).some((c) => c.line === "AT+CIMI");
    expect([cimi(0), cimi(1), cimi(2)]).toEqual([false, true, false]);
    expect((await readKey.call("POST", "/api/v1/modems/nope/doctor")).status).toBe(404);
  });

  it("lets only an admin use the AT console, on the chosen modem", async () => {
    for (const who of [viewer, clerk, readKey]) {
      const r = await who.call("POST", "/api/v1/modems/sim2/console", { command: "AT+CGMM" });
      expect(r.status).toBe(403);
    }
    const r = await admin.call("POST", "/api/v1/modems/sim2/console", { command: "AT+CGMM" });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ modemId: "sim2", command: "AT+CGMM", lines: ["EC25"] });
    const other = await admin.call("POST", "/api/v1/modems/sim1/console", { command: "AT+CGMM" });
    expect(other.body).toMatchObject({ modemId: "sim1", lines: ["DUEGATE-SIM"] });
    // The console refuses what would change the modem, and says so.
    const refused = await admin.call("POST", "/api/v1/modems/sim2/console", { command: "AT+CFUN=0" });
    expect(refused.status).toBe(403);
    const bad = await admin.call("POST", "/api/v1/modems/sim2/console", { command: "" });
    expect(bad.status).toBe(400);
  });

  it("serves the dashboard over the same list; the old panel routes are gone", async () => {
    const r = await viewer.call("GET", "/api/v1/dashboard");
    expect(r.status).toBe(200);
    const d = r.body as { modems: ModemFigures[]; stats: unknown };
    expect(d.modems.map((m) => [m.id, m.inRotation])).toEqual([
      ["sim1", true],
      ["sim2", true],
      ["sim3", false],
    ]);
    for (const path of ["/api/v1/panel/modem", "/api/v1/panel/modem/doctor", "/api/v1/panel/dashboard"])
      expect((await admin.call("GET", path)).status).toBe(404);
    expect((await admin.call("POST", "/api/v1/panel/modem/console", { command: "AT" })).status).toBe(404);
    const doc = (await readKey.call("GET", "/api/v1/openapi.json")).body as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/api/v1/modems",
        "/api/v1/modems/{id}",
        "/api/v1/modems/{id}/doctor",
        "/api/v1/modems/{id}/console",
      ]),
    );
  });

  it("records the modem an inbound SMS came in on, in the inbox and its event", async () => {
    const seen: Array<{ modemId?: string }> = [];
    appliance.services.bus.on("inbound.received", "modems-test", (e) => void seen.push(e));
    sims[1]!.injectInbound("+4917611111111", "Hello, who is this?");
    await waitForValue(
      "the SMS stored",
      () => appliance.services.inbound!.list({}).items.find((i) => i.text === "Hello, who is this?"),
      15_000,
    );
    const r = await viewer.call("GET", "/api/v1/inbound");
    const items = (r.body as { items: Array<{ text: string; modemId?: string }> }).items;
    const inbox = items.find((i) => i.text === "Hello, who is this?")!;
    expect(inbox.modemId).toBe("sim2");
    expect(seen.at(-1)?.modemId).toBe("sim2");
    appliance.services.bus.removeAll("modems-test");
  });
});
