/**
 * Prepaid credit by USSD: answers decoded (plain, UCS-2 hex, GSM-7 packed hex), the amount read,
 * the simulator answering AT+CUSD through the real driver, and a SIM with no credit left out.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  creditOf,
  createPoolMember,
  decodeUssd,
  parseCusd,
  CreditMonitor,
  ModemSimulator,
  PoolHotPlug,
  type PoolMemberSpec,
  type SimCredit,
} from "../../src/modem/index.js";
import { ModemRoster } from "../../src/service/modems.js";
import { packSeptets } from "../../src/sms/pdu/septets.js";
import { ManualClock, systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { Priority } from "../../src/outbox/index.js";
import { waitFor } from "../modem/helpers.js";
import { startPool, type PoolRig } from "./harness.js";

let rig: PoolRig | undefined;
afterEach(async () => {
  await rig?.stop();
  rig = undefined;
});

describe("USSD answers", () => {
  it("decodes plain text, UCS-2 as hex and GSM-7 packed as hex", () => {
    expect(parseCusd('+CUSD: 0,"Your credit is 12.34 EUR.",15')).toEqual({
      status: 0,
      text: "Your credit is 12.34 EUR.",
      dcs: 15,
    });
    const ucs2 = Buffer.from("Guthaben: 3,50 €", "utf16le").swap16().toString("hex").toUpperCase();
    expect(parseCusd(`+CUSD: 0,"${ucs2}",72`)?.text).toBe("Guthaben: 3,50 €");
    const septets = [..."Saldo 7.25"].map((c) => (c === " " ? 0x20 : c.charCodeAt(0)));
    const packed = Buffer.from(packSeptets(septets, 0)).toString("hex").toUpperCase();
    expect(decodeUssd(packed, 15)).toBe("Saldo 7.25");
    expect(parseCusd("+CUSD: 4")).toEqual({ status: 4, text: "", dcs: 15 });
  });

  it("reads the credit in minor units, or nothing", () => {
    expect(creditOf("Your credit is 12.34 EUR.")).toBe(1234);
    expect(creditOf("Guthaben: 3,50 €")).toBe(350);
    expect(creditOf("Balance: -0.50")).toBe(-50);
    expect(creditOf("Your balance is 5 EUR")).toBe(500);
    expect(creditOf("Service unavailable")).toBeUndefined();
  });
});

describe("prepaid credit of a pooled SIM", () => {
  it("asks each SIM by USSD through its own driver; a SIM with no credit is not used until topped up", async () => {
    rig = await startPool({ modems: 2, sendLatencyMs: 5 });
    rig.sims[0]!.ussdAnswer = { text: "Guthaben: 0,00 EUR", dcs: 72 };
    rig.sims[1]!.ussdAnswer = { text: "Your credit is 4.20 EUR.", dcs: 15 };
    const members = rig.pool.members.map((m) => ({
      ...m,
      spec: { ...m.spec, balance: { ussd: "*100#", intervalMinutes: 60, warnBelow: 5 } },
    }));
    const seen: SimCredit[] = [];
    const monitor = new CreditMonitor(
      { members, onMembership: () => undefined },
      {
        clock: systemClock,
        logger: silentLogger(),
        onCredit: (c) => {
          seen.push(c);
          rig!.outbox.setSimCredit(c.modemId, c.credit);
        },
      },
    );
    await monitor.check(members[0]!);
    await monitor.check(members[1]!);
    expect(seen.map((c) => [c.modemId, c.credit, c.low])).toEqual([
      ["m1", 0, true],
      ["m2", 420, true],
    ]);
    expect(rig.sims[0]!.received.some((c) => c.line === 'AT+CUSD=1,"*100#",15')).toBe(true);
    expect(rig.outbox.simStatus()[0]).toMatchObject({
      id: "m1",
      inRotation: false,
      reason: "no prepaid credit left (0.00)",
    });
    await rig.outbox.enqueueMany(
      Array.from({ length: 10 }, (_, i) => ({
        idempotencyKey: `credit:${i}`,
        to: `+4915140${String(i).padStart(6, "0")}`,
        text: `Reminder ${i}`,
        priority: Priority.reminder,
        origin: { kind: "api" as const, requestedBy: "test" },
      })),
    );
    await waitFor(() => rig!.sims[1]!.sent.length === 10, "the other SIM sends all", 10_000);
    expect(rig.sims[0]!.sent).toHaveLength(0);
    // Topped up: used again.
    rig.sims[0]!.ussdAnswer = { text: "Your credit is 20.00 EUR.", dcs: 15 };
    await monitor.check(members[0]!);
    expect(rig.rotation.filter((e) => e.modemId === "m1").map((e) => [e.inRotation, e.reason])).toEqual([
      [false, "no prepaid credit left (0.00)"],
      [true, "prepaid credit topped up"],
    ]);
    await rig.outbox.enqueueMany(
      Array.from({ length: 20 }, (_, i) => ({
        idempotencyKey: `credit:b${i}`,
        to: `+4915141${String(i).padStart(6, "0")}`,
        text: `Reminder b${i}`,
        priority: Priority.reminder,
        origin: { kind: "api" as const, requestedBy: "test" },
      })),
    );
    await waitFor(
      () => rig!.sims[0]!.sent.length + rig!.sims[1]!.sent.length === 30,
      "the second batch on the air",
      10_000,
    );
    expect(rig.sims[0]!.sent.length).toBeGreaterThan(0);
  }, 30_000);
});

describe("prepaid credit of an unplugged SIM", () => {
  it("keeps an unplugged SIM out of rotation when its credit is read again, and says so", async () => {
    rig = await startPool({ modems: 2, sendLatencyMs: 5 });
    rig.outbox.setLanePresence("m1", false);
    rig.outbox.setSimCredit("m1", 0);
    // Topped up while the modem is still unplugged: the credit alone brings nothing back.
    rig.outbox.setSimCredit("m1", 2000);
    const m1 = () => rig!.rotation.filter((e) => e.modemId === "m1");
    expect(m1().map((e) => e.inRotation)).toEqual([false, false, false]);
    expect(m1().at(-1)!.reason).toMatch(/topped up.*unplugged/);
    expect(rig.outbox.simStatus()[0]).toMatchObject({ id: "m1", inRotation: false, reason: "unplugged" });
    await rig.outbox.enqueueMany(
      Array.from({ length: 10 }, (_, i) => ({
        idempotencyKey: `unplugged-credit:${i}`,
        to: `+4915142${String(i).padStart(6, "0")}`,
        text: `Reminder ${i}`,
        priority: Priority.reminder,
        origin: { kind: "api" as const, requestedBy: "test" },
      })),
    );
    await waitFor(() => rig!.sims[1]!.sent.length === 10, "the plugged-in SIM sends all", 10_000);
    expect(rig.sims[0]!.sent).toHaveLength(0);
    // Plugged in again with credit: in rotation.
    rig.outbox.setLanePresence("m1", true);
    expect(m1().at(-1)).toMatchObject({ inRotation: true, reason: "plugged in again" });
  }, 30_000);

  it("says a SIM plugged in again without credit stays out, with the reason", async () => {
    rig = await startPool({ modems: 2, sendLatencyMs: 5 });
    rig.outbox.setSimCredit("m1", -50);
    rig.outbox.setLanePresence("m1", false);
    rig.outbox.setLanePresence("m1", true);
    const last = rig.rotation.filter((e) => e.modemId === "m1").at(-1)!;
    expect(last).toMatchObject({ inRotation: false });
    expect(last.reason).toMatch(/plugged in again.*no prepaid credit left \(-0\.50\)/);
  }, 30_000);
});

describe("prepaid credit of a modem added or removed while the pool runs", () => {
  it("asks a modem added by a reload on the schedule, shows its credit, and forgets it once removed", async () => {
    rig = await startPool({ modems: 1, sendLatencyMs: 5 });
    const pool = rig.pool;
    const outbox = rig.outbox;
    // The monitor's own clock moves on command; the modems run on real time.
    const clock = new ManualClock(Date.now());
    const seen: SimCredit[] = [];
    const monitor = new CreditMonitor(pool, {
      clock,
      logger: silentLogger(),
      firstCheckMs: 1000,
      onCredit: (c) => {
        seen.push(c);
        outbox.setSimCredit(c.modemId, c.credit);
      },
    });
    new PoolHotPlug({
      pool,
      lanes: outbox,
      bus: rig.bus,
      clock: systemClock,
      logger: silentLogger(),
      defaultCostPerPart: () => 0.09,
    });
    const roster = new ModemRoster({ pool, outbox, credits: monitor, clock: systemClock });
    monitor.start();
    expect(clock.pendingTimers).toBe(0); // m1 has no balance: nothing to ask

    const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 20, ownNumber: "+491700000077" });
    sim.ussdAnswer = { text: "Your credit is 0.00 EUR.", dcs: 15 };
    const spec: PoolMemberSpec = {
      id: "two",
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      number: "+491700000077",
      limits: {},
      routes: [],
      sendLatencyMs: 5,
      balance: { ussd: "*100#", intervalMinutes: 60, warnBelow: 5 },
    };
    const two = createPoolMember(spec, {
      config: rig.config,
      clock: systemClock,
      logger: silentLogger(),
      simulator: sim,
    });
    await pool.add(two);
    await waitFor(() => two.modem.ready, "the added modem ready", 10_000);
    expect(clock.pendingTimers).toBe(1);
    const asked = () => sim.received.filter((c) => c.line === 'AT+CUSD=1,"*100#",15').length;

    await clock.advance(1000);
    await waitFor(() => seen.some((c) => c.modemId === "two"), "the added SIM's credit read", 10_000);
    expect(asked()).toBe(1);
    expect(roster.get("two").credit).toMatchObject({ amount: 0, low: true, text: "Your credit is 0.00 EUR." });
    expect(roster.list().map((m) => m.id)).toEqual(["m1", "two"]);
    expect(outbox.simStatus().find((s) => s.id === "two")).toMatchObject({
      inRotation: false,
      reason: "no prepaid credit left (0.00)",
    });
    // Asked again on its interval.
    await waitFor(() => clock.pendingTimers === 1, "the next check scheduled", 5000);
    sim.ussdAnswer = { text: "Your credit is 12.00 EUR.", dcs: 15 };
    await clock.advance(60 * 60_000);
    await waitFor(() => seen.filter((c) => c.modemId === "two").length === 2, "the second reading", 10_000);
    expect(roster.get("two").credit).toMatchObject({ amount: 1200, low: false });
    expect(outbox.simStatus().find((s) => s.id === "two")).toMatchObject({ inRotation: true });

    // Its USSD code changed by a reload (the same modem goes on): asked with the new code, the old timer gone.
    await waitFor(() => clock.pendingTimers === 1, "the third check scheduled", 5000);
    await pool.replace("two", {
      id: "two",
      modem: two.modem,
      spec: { ...spec, balance: { ussd: "*101#", intervalMinutes: 60, warnBelow: 5 } },
    });
    expect(clock.pendingTimers).toBe(1);
    expect(roster.get("two").credit).toMatchObject({ amount: 1200 }); // the same SIM's last reading stays
    await clock.advance(1000);
    await waitFor(() => seen.filter((c) => c.modemId === "two").length === 3, "the reading by the new code", 10_000);
    expect(sim.received.filter((c) => c.line === 'AT+CUSD=1,"*101#",15')).toHaveLength(1);
    expect(asked()).toBe(2);

    // Removed by a reload: its timer is cancelled and its reading no longer shown.
    await waitFor(() => clock.pendingTimers === 1, "the next check scheduled", 5000);
    await pool.remove("two");
    expect(clock.pendingTimers).toBe(0);
    expect(monitor.credits()).toEqual([]);
    expect(roster.list().map((m) => m.id)).toEqual(["m1"]);
    await clock.advance(3 * 60 * 60_000);
    expect(asked()).toBe(2);
  }, 30_000);
});
