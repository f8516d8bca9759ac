/**
 * The modem pool edited over REST against the real appliance (createApp, three simulated
 * modems, the HTTP server on a loopback port, real fetch with a panel session): a bad entry is
 * refused field by field in the config schema's words and nothing is saved; only admins may
 * change the list; a simulated modem added from the API starts at once and takes work; a
 * change keeps the write-only PIN, which is never in an answer or the log; the list is saved
 * 0600 in the panel's overlay; removing moves the work to the others and the last modem stays.
 * And the same on an appliance with the default single `modem:` section.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { startAppliance, ADMIN_PASSWORD, type Appliance } from "../web/harness.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { Priority } from "../../src/outbox/types.js";
import { waitForValue } from "../support/wait.js";
import { panelSession, type PanelCall } from "../support/panel-session.js";

const PIN = "4711";

interface Answer {
  status: number;
  body: Record<string, unknown> & {
    error?: { code: string; message: string; field?: string; fields?: Array<{ field: string; message: string }> };
  };
  text: string;
}
type Call = PanelCall<Answer["body"]>;

const logIn = (url: string, name: string, password: string): Promise<Call> =>
  panelSession<Answer["body"]>(url, name, password);

const overlayOf = (a: Appliance) => join(a.services.config.gateway.dataDir, "settings.yaml");
const savedModems = (a: Appliance) =>
  (parse(readFileSync(overlayOf(a), "utf8")) as { modems?: Array<Record<string, unknown>> }).modems;
const ids = (a: Appliance) => a.services.modems!.list().map((m) => m.id);

describe("the modem pool edited over REST (a pool of three simulated modems)", () => {
  let appliance: Appliance;
  let admin: Call;
  let clerk: Call;
  const sims = [1, 2, 3, 4].map(
    (n) => new ModemSimulator({ sendLatencyMs: 20, deliveryReportDelayMs: 100, ownNumber: `+49170000000${n}` }),
  );

  beforeAll(async () => {
    appliance = await startAppliance({
      // The fourth simulator is left over for the modem the API adds.
      simulators: sims,
      modems: [
        { id: "sim1", port: "sim", number: "+491700000001", costPerPart: 0.05 },
        { id: "sim2", port: "sim", number: "+491700000002", costPerPart: 0.05 },
        { id: "sim3", port: "sim", number: "+491700000003", costPerPart: 0.05, pin: "1234" },
      ],
      config: { outbox: { sendWindow: { start: "00:00", end: "23:59" } } },
    });
    expect(appliance.via).toBe("createApp");
    await appliance.auth.createUser("carla", "clerk", "clerk password 123");
    admin = await logIn(appliance.url, "admin", ADMIN_PASSWORD);
    clerk = await logIn(appliance.url, "carla", "clerk password 123");
    await waitForValue("every modem ready", () =>
      appliance.services.modems!.list().every((m) => m.health.state === "ready"),
    );
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
  });

  it("refuses a bad entry field by field in the config schema's words, echoes no PIN and saves nothing", async () => {
    const r = await admin("POST", "/api/v1/modems", {
      id: "Sim 4",
      port: "sim",
      pin: "12",
      limits: { partsPerDay: 0 },
      costPerPart: -1,
    });
    expect(r.status).toBe(400);
    expect(r.body.error!.code).toBe("config.invalid");
    const fields = Object.fromEntries(r.body.error!.fields!.map((f) => [f.field, f.message]));
    expect(fields["limits.partsPerDay"]).toBe(
      "SMS parts per day: 0 is not allowed; it must be a whole number of SMS parts, 1 or more.",
    );
    expect(fields["costPerPart"]).toMatch(/^Cost per SMS part: -1 is not allowed; it must be a number, 0 or more/);
    expect(fields["id"]).toMatch(/^Modem id: "Sim 4" is not allowed; it must be up to 32 lowercase letters/);
    expect(fields["pin"]).toBe("SIM PIN: this value is not allowed; it must be 4 to 8 digits, or empty.");
    expect(r.text).not.toContain('"12"');
    expect(() => statSync(overlayOf(appliance))).toThrow();
    expect(ids(appliance)).toEqual(["sim1", "sim2", "sim3"]);
  });

  it("refuses an entry without a port, an id taken already and an unknown key, each beside its field", async () => {
    const missing = await admin("POST", "/api/v1/modems", { id: "sim9" });
    expect(missing.status).toBe(400);
    expect(missing.body.error!.fields).toEqual([{ field: "port", message: "Port is needed." }]);
    const taken = await admin("POST", "/api/v1/modems", { id: "sim2", port: "sim" });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toMatchObject({
      field: "id",
      message: 'there is a modem "sim2" already; choose another id',
    });
    const nowhere = await admin("POST", "/api/v1/modems", { id: "sim9", port: "tcp://gateway.local" });
    expect(nowhere.status).toBe(400);
    expect(nowhere.body.error!.fields).toEqual([
      {
        field: "port",
        message:
          'Port: "tcp://gateway.local" is not allowed; it must be a device path like /dev/serial/by-id/…, tcp://host:port, or sim.',
      },
    ]);
    const unknown = await admin("POST", "/api/v1/modems", { id: "sim9", port: "sim", colour: "red" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error!.fields![0]!.field).toBe("colour");
  });

  it("refuses a profile the appliance does not have, from the pool editor and from the settings alike", async () => {
    const listed = await admin("GET", "/api/v1/modems");
    expect(listed.body.profiles).toEqual(["e3372", "ec25", "generic", "sim7600", "sim800"]);
    const r = await admin("POST", "/api/v1/modems", { id: "sim9", port: "sim", profile: "sim900" });
    expect(r.status).toBe(400);
    expect(r.body.error!.fields).toEqual([
      {
        field: "profile",
        message:
          'Profile: "sim900" is not a modem profile of this appliance; it must be one of: e3372, ec25, generic, sim7600, sim800.',
      },
    ]);
    const modems = appliance.services.config.modems.map((m) => ({ ...m }));
    const patched = await admin("PATCH", "/api/v1/settings", {
      modems: [...modems, { id: "sim9", port: "sim", profile: "sim900" }],
    });
    expect(patched.status).toBe(400);
    expect(patched.body.error!.message).toContain('"sim900" is not a modem profile');
    expect(() => statSync(overlayOf(appliance))).toThrow();
    expect(ids(appliance)).toEqual(["sim1", "sim2", "sim3"]);
  });

  it("lets only administrators change the list or read an entry (403 for a clerk)", async () => {
    for (const [method, path, body] of [
      ["POST", "/api/v1/modems", { id: "sim9", port: "sim" }],
      ["PUT", "/api/v1/modems/sim1", { port: "sim" }],
      ["DELETE", "/api/v1/modems/sim1", undefined],
      ["GET", "/api/v1/modems/sim1/settings", undefined],
    ] as const) {
      const r = await clerk(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(403);
    }
    expect(ids(appliance)).toEqual(["sim1", "sim2", "sim3"]);
  });

  it("shows an entry without its PIN, only that it has one", async () => {
    const r = await admin("GET", "/api/v1/modems/sim3/settings");
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: "sim3", port: "sim", pinSet: true, costPerPart: 0.05 });
    expect(r.text).not.toContain("1234");
    expect((await admin("GET", "/api/v1/modems/nope/settings")).status).toBe(404);
  });

  it("adds a simulated modem that starts at once with its PIN and takes the next message (it is the cheapest)", async () => {
    // Its SIM asks for the PIN: the modem is ready only if the PIN given in the form reached its driver.
    sims[3]!.fault.simPin(PIN);
    const r = await admin("POST", "/api/v1/modems", {
      id: "sim4",
      port: "sim",
      pin: PIN,
      number: "+491700000004",
      costPerPart: 0.01,
      limits: { partsPerDay: 300 },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ added: ["sim4"], removed: [], replaced: [] });
    expect(r.body.restartRequired).toBeUndefined();
    expect(r.text).not.toContain(PIN);
    await waitForValue("sim4 ready", () =>
      appliance.services.modems!.list().find((m) => m.id === "sim4" && m.health.state === "ready"),
    );
    expect(sims[3]!.received.some((c) => c.line === `AT+CPIN="${PIN}"` || c.line === `AT+CPIN=${PIN}`)).toBe(true);
    const listed = await admin("GET", "/api/v1/modems");
    const items = (listed.body as { items: Array<{ id: string; limits: { perDay: number } }> }).items;
    expect(items.map((m) => m.id)).toEqual(["sim1", "sim2", "sim3", "sim4"]);
    expect(items.find((m) => m.id === "sim4")!.limits.perDay).toBe(300);

    const before = sims[3]!.sent.length;
    await (appliance.services.outbox as unknown as { enqueue(r: unknown): Promise<unknown> }).enqueue({
      idempotencyKey: "modem-list-1",
      to: "+4917655555555",
      text: "Through the new modem",
      priority: Priority.direct,
      origin: { kind: "test", requestedBy: "test" },
    });
    await waitForValue("the message sent through sim4", () => sims[3]!.sent.length > before, 20_000);
    expect(sims[3]!.sent.at(-1)!.to).toContain("4917655555555");
  });

  it("saves the list in the panel's overlay, readable by the service alone, and keeps the PIN out of the log", () => {
    expect(statSync(overlayOf(appliance)).mode & 0o777).toBe(0o600);
    const saved = savedModems(appliance)!;
    expect(saved.map((m) => m.id)).toEqual(["sim1", "sim2", "sim3", "sim4"]);
    expect(saved[3]).toMatchObject({ port: "sim", pin: PIN, costPerPart: 0.01 });
    const ring = (appliance.services as unknown as { logRing: { recent(min: number, n: number): unknown[] } }).logRing;
    const log = ring.recent(0, 2000);
    expect(log.some((l) => JSON.stringify(l).includes("panel.modems"))).toBe(true);
    expect(JSON.stringify(log)).not.toContain(PIN);
  });

  it("masks the PINs of the list in the Settings read as every other secret", async () => {
    const r = await admin("GET", "/api/v1/settings");
    expect(r.status).toBe(200);
    expect(r.text).not.toContain(PIN);
    expect((r.body.config as { modems: Array<{ pin?: string }> }).modems[3]!.pin).toBe("••••••");
    expect((r.body.editable as { keys: string[] }).keys).not.toContain("modems");
  });

  it("changes a modem, keeping its PIN when the form leaves it out, and restarts only that driver", async () => {
    const r = await admin("PUT", "/api/v1/modems/sim4", {
      port: "sim",
      number: "+491700000004",
      costPerPart: 0.02,
      limits: { partsPerDay: 250 },
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toMatchObject({ added: [], removed: [], replaced: ["sim4"] });
    expect(savedModems(appliance)![3]).toMatchObject({
      id: "sim4",
      pin: PIN,
      costPerPart: 0.02,
      limits: { partsPerDay: 250 },
    });
    const bad = await admin("PUT", "/api/v1/modems/sim4", { port: "sim", limits: { partsPerMinute: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.fields).toEqual([
      {
        field: "limits.partsPerMinute",
        message: "SMS parts per minute: 0 is not allowed; it must be a whole number of SMS parts, 1 or more.",
      },
    ]);
    // An entry read with GET goes back as it is: nothing changes, no driver restarts, the PIN stays.
    const read = await admin("GET", "/api/v1/modems/sim4/settings");
    const same = await admin("PUT", "/api/v1/modems/sim4", read.body);
    expect(same.status, same.text).toBe(200);
    expect(same.body).toMatchObject({ added: [], removed: [], replaced: [] });
    expect(savedModems(appliance)![3]).toMatchObject({ pin: PIN });
    const renamed = await admin("PUT", "/api/v1/modems/sim4", { id: "sim5", port: "sim" });
    expect(renamed.status).toBe(400);
    expect(renamed.body.error!.field).toBe("id");
    expect((await admin("PUT", "/api/v1/modems/nope", { port: "sim" })).status).toBe(404);
  });

  it("removes modems, and refuses to remove the last one with the reason", async () => {
    for (const id of ["sim4", "sim3", "sim2"]) {
      const r = await admin("DELETE", `/api/v1/modems/${id}`);
      expect(r.status, r.text).toBe(200);
      expect(r.body).toMatchObject({ removed: [id] });
    }
    expect(ids(appliance)).toEqual(["sim1"]);
    const last = await admin("DELETE", "/api/v1/modems/sim1");
    expect(last.status).toBe(409);
    expect(last.body.error!.message).toBe(
      "sim1 is the only modem: the appliance needs one to send; add another modem first",
    );
    expect(ids(appliance)).toEqual(["sim1"]);
    expect(savedModems(appliance)!.map((m) => m.id)).toEqual(["sim1"]);
  });
});

describe("the modem pool edited over REST (the default single modem: section)", () => {
  let appliance: Appliance;
  let admin: Call;

  beforeAll(async () => {
    appliance = await startAppliance();
    admin = await logIn(appliance.url, "admin", ADMIN_PASSWORD);
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
  });

  it("shows the single modem as one entry and turns it into a list when a modem is added", async () => {
    const view = await admin("GET", "/api/v1/modems/modem/settings");
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ id: "modem", port: "sim", pinSet: false });
    const r = await admin("POST", "/api/v1/modems", { id: "second", port: "sim" });
    expect(r.status, r.text).toBe(200);
    expect(savedModems(appliance)!.map((m) => m.id)).toEqual(["modem", "second"]);
    // Live: the single modem goes on as the list's first entry, the second one starts.
    expect(r.body.restartRequired).toBeUndefined();
    expect(r.body.added).toEqual(["second"]);
    // The list as configured is what the pool editor shows, the one waiting for a restart included.
    const listed = await admin("GET", "/api/v1/modems");
    expect(listed.body.configured).toMatchObject({
      source: "list",
      entries: [
        { id: "modem", port: "sim", pinSet: false },
        { id: "second", port: "sim", pinSet: false },
      ],
    });
  });
});
