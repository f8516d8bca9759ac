/**
 * A reload (SIGHUP) that switches between the single `modem:` and a `modems:` list, or changes
 * the only modem, without a restart: the real service (createApp) reading its config file, each
 * modem a simulator (or a simulator behind a real pseudo-terminal through socat), a batch on the
 * air while the reload runs. Nothing accepted is lost and nothing goes out twice; a modem that
 * stays keeps its running driver.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { loadConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator, type ModemPool } from "../../src/modem/index.js";
import { Priority, type EnqueueRequest } from "../../src/outbox/index.js";
import { waitFor } from "../modem/helpers.js";

const SOCAT = "/usr/bin/socat";

let app: App | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const c of cleanups.splice(0).reverse()) await c();
});

const request = (i: number): EnqueueRequest => ({
  idempotencyKey: `switch:${i}`,
  to: `+4915150${String(i).padStart(6, "0")}`,
  text: `Reminder #s${i}: invoice ${i} is due.`,
  priority: Priority.reminder,
  origin: { kind: "api", requestedBy: "test" },
});

/** Each reminder's count on the air over the given simulators. */
function onAir(sims: readonly ModemSimulator[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of sims)
    for (const p of s.sent) {
      const tag = /#s(\d+)/.exec(p.text)?.[1];
      if (tag !== undefined) counts.set(tag, (counts.get(tag) ?? 0) + 1);
    }
  return counts;
}

interface Rig {
  file: string;
  base: Record<string, unknown>;
  sims: ModemSimulator[];
  pool: ModemPool;
  app: App;
}

/** The service started from a config file holding `modems` (the single `modem:` when it is absent). */
async function start(first: Record<string, unknown>, sims: ModemSimulator[]): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), "duegate-switch-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "duegate.yaml");
  const base = {
    gateway: { dataDir: join(dir, "data"), defaultTimeZone: "UTC" },
    outbox: {
      sendWindow: { start: "00:00", end: "23:59" },
      limits: { perMinute: 10_000, perSimPerDay: 10_000, perSimPerMonth: 100_000 },
    },
    http: { listen: "127.0.0.1:0", adminPassword: "an admin password" },
  };
  writeFileSync(file, stringify({ ...base, ...first }));
  app = await createApp(loadConfig({ file }).config, {
    logger: silentLogger(),
    mqtt: false,
    simulators: sims,
    configFile: file,
  });
  await app.start();
  const pool = app.services.modem as ModemPool;
  await waitFor(() => pool.members.every((m) => m.modem.ready), "the modems ready", 10_000);
  return { file, base, sims, pool, app };
}

/** Rewrites the config file and reloads while a batch of n is on the air; waits until it settled. */
async function reloadMidBatch(r: Rig, next: Record<string, unknown>, n: number, from: number): Promise<void> {
  const outbox = r.app.services.outbox;
  await outbox.enqueueMany(Array.from({ length: n }, (_, i) => request(from + i)));
  const sentBefore = () => r.sims.reduce((k, s) => k + s.sent.length, 0);
  const at = sentBefore();
  await waitFor(() => sentBefore() >= at + 3, "the batch on the air", 10_000);
  writeFileSync(r.file, stringify({ ...r.base, ...next }));
  await r.app.reload();
  await waitFor(() => outbox.stats().queued + outbox.stats().sending === 0, "the batch settled", 30_000);
}

/** Every reminder of the batch went on the air exactly once, and none failed. */
function expectEachOnce(r: Rig, from: number, n: number): void {
  const counts = onAir(r.sims);
  const tags = Array.from({ length: n }, (_, i) => String(from + i));
  expect(tags.filter((t) => counts.get(t) !== 1)).toEqual([]);
  expect(r.app.services.outbox.list({ state: "failed", limit: 500 }).items).toEqual([]);
}

const sim = (i: number, sendLatencyMs = 40): ModemSimulator =>
  new ModemSimulator({ sendLatencyMs, deliveryReportDelayMs: 20, ownNumber: `+49170000000${i}` });

describe("reload between the single modem: and a modems: list", () => {
  it("single to list: the single modem goes on under its entry, without a restart; the batch on the air is sent once", async () => {
    const sims = [sim(0), sim(1)];
    const r = await start({ modem: { port: "sim" } }, sims);
    const driver = r.pool.member("modem")!.modem;
    const inits = () => sims[0]!.received.filter((c) => c.line === "ATE0").length;
    const initsBefore = inits();

    await reloadMidBatch(
      r,
      {
        modems: [
          { id: "main", port: "sim", costPerPart: 0.05 },
          { id: "second", port: "sim" },
        ],
      },
      40,
      0,
    );
    expect(r.pool.members.map((m) => m.id)).toEqual(["main", "second"]);
    // The same driver, never initialised again.
    expect(r.pool.member("main")!.modem).toBe(driver);
    expect(inits()).toBe(initsBefore);
    expect(r.app.services.outbox.simStatus().map((s) => [s.id, s.costPerPart])).toEqual([
      ["main", 0.05],
      ["second", expect.any(Number)],
    ]);
    expect(r.app.services.modems.list().map((m) => m.id)).toEqual(["main", "second"]);
    expectEachOnce(r, 0, 40);
    // The SIM's parts of today counted on under its new id.
    expect(r.app.services.outbox.simStatus()[0]!.partsToday).toBe(sims[0]!.sent.length);

    // Both SIMs take the next batch.
    await waitFor(() => r.pool.member("second")!.modem.ready, "the second modem ready", 10_000);
    const before = sims[1]!.sent.length;
    await r.app.services.outbox.enqueueMany(Array.from({ length: 30 }, (_, i) => request(100 + i)));
    await waitFor(
      () => r.app.services.outbox.stats().queued + r.app.services.outbox.stats().sending === 0,
      "the next batch",
      20_000,
    );
    expect(sims[1]!.sent.length).toBeGreaterThan(before);
    expectEachOnce(r, 100, 30);
  }, 60_000);

  it("list to single: the modem on the single modem's port goes on as `modem`, the other stops; nothing lost", async () => {
    const sims = [sim(0), sim(1)];
    const r = await start(
      {
        modems: [
          { id: "a", port: "sim" },
          { id: "b", port: "sim" },
        ],
      },
      sims,
    );
    const driver = r.pool.member("a")!.modem;
    await reloadMidBatch(r, { modem: { port: "sim" } }, 40, 0);
    expect(r.pool.members.map((m) => m.id)).toEqual(["modem"]);
    expect(r.pool.member("modem")!.modem).toBe(driver);
    expect(r.app.services.outbox.simStatus().map((s) => s.id)).toEqual(["modem"]);
    expectEachOnce(r, 0, 40);
    const bAfter = sims[1]!.sent.length;
    await r.app.services.outbox.enqueueMany(Array.from({ length: 10 }, (_, i) => request(100 + i)));
    await waitFor(
      () => r.app.services.outbox.stats().queued + r.app.services.outbox.stats().sending === 0,
      "the next batch",
      20_000,
    );
    expect(sims[1]!.sent.length).toBe(bAfter);
    expectEachOnce(r, 100, 10);
  }, 60_000);

  it("the only modem changed: a new driver takes over mid-batch, the old one stops; nothing lost or sent twice", async () => {
    // The second simulator is the one the changed modem gets.
    const sims = [sim(0), sim(1, 30)];
    const r = await start({ modem: { port: "sim", simulator: { sendLatencyMs: 40 } } }, sims);
    const old = r.pool.member("modem")!.modem;
    const health: string[] = [];
    r.app.services.bus.on("modem.health", "test", (h) => void health.push(`${h.modemId}:${h.state}`));
    await reloadMidBatch(r, { modem: { port: "sim", simulator: { sendLatencyMs: 30 } } }, 40, 0);
    // The old driver going offline is not said of the modem that took its place.
    expect(health).not.toContain("modem:offline");
    expect(r.app.services.modems.get("modem").health.state).toBe("ready");
    expect(r.pool.members.map((m) => m.id)).toEqual(["modem"]);
    expect(r.pool.member("modem")!.modem).not.toBe(old);
    expect(old.ready).toBe(false);
    expectEachOnce(r, 0, 40);
    expect(sims[0]!.sent.length).toBeGreaterThan(0);
    expect(sims[1]!.sent.length).toBeGreaterThan(0);
  }, 60_000);
});

describe("reload of the only modem on a tty", () => {
  // Under CI a missing socat fails the test instead of skipping it.
  it.skipIf(!existsSync(SOCAT) && process.env.CI !== "true")(
    "moves the single modem to another port: the new one starts, then the old one stops; the batch is sent once",
    async () => {
      const sims = [sim(0), sim(1)];
      const paths: string[] = [];
      for (const s of sims) {
        const pty = await s.servePty();
        cleanups.push(() => pty.close());
        paths.push(pty.path);
      }
      const r = await start({ modem: { port: paths[0], profile: "generic" } }, []);
      r.sims.push(...sims);
      const old = r.pool.member("modem")!.modem;
      await reloadMidBatch(r, { modem: { port: paths[1], profile: "generic" } }, 30, 0);
      expect(r.pool.member("modem")!.spec.port).toBe(paths[1]);
      expect(old.ready).toBe(false);
      expectEachOnce(r, 0, 30);
      expect(sims[1]!.sent.length).toBeGreaterThan(0);
    },
    60_000,
  );
});
