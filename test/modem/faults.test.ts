import { afterEach, describe, expect, it } from "vitest";
import type { DuegateError } from "../../src/core/errors.js";
import { ErrorCode, isDuegateError } from "../../src/core/errors.js";
import { createLogger } from "../../src/core/log.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { FAST, sleep, startOnSimulator, waitFor, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const DEBTOR = "+491701234567";
const part = (text = "Reminder: invoice 17 is due") => encodeSubmit(text, { to: DEBTOR, concatReference: 9 }).parts[0]!;
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as DuegateError,
  );

describe("faults: the driver recovers from each one", () => {
  it("hang: a timed-out command is retried once, then the port is reopened and the modem comes back", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "debug",
      pretty: false,
      destination: { write: (l: string) => void lines.push(l) },
    });
    h = await startOnSimulator({}, { logger });
    await sleep(50);
    h.sim.fault.hang(1700); // longer than two command timeouts and the resync gap
    await h.modem.refreshHealth();
    expect(lines.filter((l) => l.includes("retrying once")).length).toBeGreaterThanOrEqual(1);
    await waitFor(() => h!.health.some((x) => x.state === "recovering"), "the recovery to start");
    // While recovering, a send is refused at once with a temporary error (the outbox retries).
    const t0 = Date.now();
    const fast = await errorOf(h.modem.sendPart(part()));
    expect(Date.now() - t0).toBeLessThan(50);
    expect(fast).toMatchObject({ code: ErrorCode.ModemNotReady, context: { temporary: true } });
    await waitFor(() => h!.modem.ready, "recovery after the hang", 8000);
    expect(lines.some((l) => l.includes("modem recovered"))).toBe(true);
    await expect(h.modem.sendPart(part())).resolves.toHaveProperty("reference");
  });

  it("hang during a send: AT+CMGS is not repeated (in doubt), the modem is probed instead", async () => {
    h = await startOnSimulator({ sendLatencyMs: 5 }, { timeouts: { ...FAST.timeouts, send: 300 } });
    h.sim.fault.hang(250);
    const e = await errorOf(h.modem.sendPart(part()));
    expect(isDuegateError(e, ErrorCode.ModemTimeout)).toBe(true);
    await waitFor(() => h!.modem.ready && h!.sim.received.filter((c) => c.name === "").length > 0, "the probe");
    expect(h.sim.received.filter((c) => c.name === "+CMGS")).toHaveLength(0); // the hung modem dropped it; never re-sent
    await expect(h.modem.sendPart(part())).resolves.toHaveProperty("reference");
  });

  it("CMS errors: temporary and permanent are told apart, with the reason", async () => {
    h = await startOnSimulator();
    h.sim.fault.cmsError(38);
    const t = await errorOf(h.modem.sendPart(part()));
    expect(t).toMatchObject({
      code: ErrorCode.ModemCmsError,
      context: { cms: 38, temporary: true, reason: "network out of order" },
    });
    h.sim.fault.cmsError(1);
    const p = await errorOf(h.modem.sendPart(part()));
    expect(p).toMatchObject({ code: ErrorCode.ModemCmsError, context: { cms: 1, temporary: false } });
    expect(h.modem.ready).toBe(true); // a CMS error is the message's problem, not the modem's
    await expect(h.modem.sendPart(part())).resolves.toHaveProperty("reference");
  });

  it("no network: sends fail with a temporary error until the network is back", async () => {
    h = await startOnSimulator();
    h.sim.fault.noNetwork(400);
    const e = await errorOf(h.modem.sendPart(part()));
    expect(e).toMatchObject({ code: ErrorCode.ModemCmsError, context: { cms: 331, temporary: true } });
    await waitFor(() => h!.modem.health().state === "degraded", "degraded state");
    await expect(h.modem.sendPart(part())).rejects.toMatchObject({
      code: ErrorCode.ModemNoNetwork,
      context: { temporary: true },
    });
    await sleep(450);
    const back = await h.modem.refreshHealth();
    expect(back).toMatchObject({ state: "ready", registration: "home" });
  });

  it("a lost network is seen at once from the registration URC, without waiting for a poll", async () => {
    h = await startOnSimulator();
    expect(h.sim.settings.creg).toBe(1);
    h.sim.fault.noNetwork(300);
    await waitFor(() => h!.modem.health().state === "degraded", "degraded from +CREG: 2", 1000);
    await waitFor(() => h!.modem.ready, "ready again from +CREG: 1", 2000);
  });

  it("no network at start: init waits for registration, then reports degraded instead of crashing", async () => {
    h = await startOnSimulator({}, {}, (hh) => hh.sim.fault.noNetwork(600));
    expect(h.modem.health()).toMatchObject({ state: "degraded", registration: "searching" });
    await sleep(650);
    await h.modem.refreshHealth();
    expect(h.modem.ready).toBe(true);
  });

  it("SIM PIN: the configured PIN is entered and the modem gets ready", async () => {
    h = await startOnSimulator({}, { pin: "4711" }, (hh) => hh.sim.fault.simPin("4711"));
    expect(h.modem.ready).toBe(true);
    expect(h.sim.settings.pinEntered).toBe(true);
  });

  it("SIM PIN without a configured PIN: not ready, the reason is reported", async () => {
    h = await startOnSimulator({}, {}, (hh) => hh.sim.fault.simPin("4711"));
    expect(h.modem.ready).toBe(false);
    expect(h.modem.health()).toMatchObject({ simState: "SIM PIN" });
    expect(h.modem.health().lastError).toMatch(/PIN/);
  });

  it("a wrong PIN is entered once and never again (no PUK lock)", async () => {
    h = await startOnSimulator({}, { pin: "0000" }, (hh) => hh.sim.fault.simPin("4711"));
    await sleep(400); // several recovery cycles
    const tries = h.sim.received.filter((c) => c.name === "+CPIN" && c.op === "set");
    expect(tries).toHaveLength(1);
    expect(h.modem.ready).toBe(false);
  });

  it("unplug: the port vanishes, is reopened when it returns, and the modem is set up again", async () => {
    h = await startOnSimulator();
    h.sim.fault.unplug(300);
    await waitFor(() => h!.modem.health().state === "recovering", "recovering");
    await expect(h.modem.sendPart(part())).rejects.toMatchObject({
      code: ErrorCode.ModemUnplugged,
      context: { temporary: true },
    });
    await waitFor(() => h!.modem.ready, "reopen after unplug", 8000);
    // The modem rebooted: the driver set PDU mode and indications again.
    expect(h.sim.settings.cmgf).toBe(0);
    expect(h.sim.settings.cnmi.mt).toBe(1);
    await expect(h.modem.sendPart(part())).resolves.toHaveProperty("reference");
    h.sim.injectInbound(DEBTOR, "after replug");
    await waitFor(() => h!.inbound.some((x) => x.pdu.text === "after replug"), "inbound after replug");
  });

  it("noise on the line is skipped and never corrupts a response", async () => {
    h = await startOnSimulator();
    h.sim.fault.noise();
    const health = await h.modem.refreshHealth();
    expect(health).toMatchObject({
      state: "ready",
      signal: { rssi: 21 },
      registration: "home",
      operator: "duegate sim",
    });
    h.sim.fault.noise();
    await expect(h.modem.sendPart(part())).resolves.toHaveProperty("reference");
  });

  it("storage full: messages stored without +CMTI are found by the storage check and read", async () => {
    h = await startOnSimulator({ storageSize: 3 });
    h.sim.fault.storageFull(true);
    for (let i = 1; i <= 5; i++) h.sim.injectInbound(DEBTOR, `msg ${i}`);
    expect(h.sim.storage.used("SM")).toBe(3);
    expect(h.sim.network).toHaveLength(2);
    for (let i = 0; i < 5 && h.inbound.length < 5; i++) {
      await h.modem.refreshHealth();
      await h.modem.inboxIdle();
      await sleep(20);
    }
    expect(h.inbound.map((x) => x.pdu.text).sort()).toEqual(["msg 1", "msg 2", "msg 3", "msg 4", "msg 5"]);
    // Nothing was announced: every message was found by listing the storage, none by +CMTI → AT+CMGR.
    expect(h.sim.received.some((c) => c.name === "+CMGR")).toBe(false);
  });

  it("a malformed PDU in storage is logged and removed, and does not block the others", async () => {
    h = await startOnSimulator();
    h.sim.deliverPdu("0004FF");
    h.sim.injectInbound(DEBTOR, "still here");
    await waitFor(() => h!.inbound.length === 1, "the good message");
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SM")).toBe(0);
  });

  it("repeated failures climb to the profile's reset command", async () => {
    h = await startOnSimulator({ resetMs: 50 });
    // A SIM that keeps failing: only a reset helps (behaviors in front, last defined wins).
    let broken = true;
    h.sim.defineBehavior({
      name: "sim failure",
      onCommand(sim, cmd) {
        if (!broken || cmd.name !== "+CPIN") return false;
        sim.cme(13);
        return true;
      },
    });
    h.sim.defineBehavior({
      name: "reset heals",
      onCommand(_sim, cmd) {
        if (cmd.name === "+CFUN" && cmd.op === "set") broken = false;
        return false;
      },
    });
    h.sim.fault.unplug(10);
    await waitFor(() => h!.sim.received.some((c) => c.line === "AT+CFUN=1,1"), "the reset command", 8000);
    await waitFor(() => h!.modem.ready, "ready after the reset", 8000);
  });
});
