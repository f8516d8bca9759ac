import { afterEach, describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { sleep, startOnSimulator, waitFor, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const DEBTOR = "+491701234567";

describe("modem driver on the simulator", () => {
  it("initialises in PDU mode with indications on and becomes ready", async () => {
    h = await startOnSimulator();
    expect(h.modem.ready).toBe(true);
    expect(h.sim.settings.cmgf).toBe(0);
    expect(h.sim.settings.cnmi).toEqual({ mt: 1, ds: 1 });
    expect(h.sim.settings.echo).toBe(false);
    h.sim.assertReceivedCommand((c) => c.line === 'AT+CPMS="SM","SM","SM"');
    expect(h.health.some((e) => e.state === "ready")).toBe(true);
  });

  it("sends a multipart UCS-2 message part by part and returns each TP-MR", async () => {
    h = await startOnSimulator();
    const text = "Ihre Rechnung ist fällig — Счёт к оплате ✓ ".repeat(4);
    const { parts } = encodeSubmit(text, { to: DEBTOR, concatReference: 42 });
    expect(parts.length).toBeGreaterThan(1);
    const refs: number[] = [];
    for (const p of parts) refs.push((await h.modem.sendPart(p)).reference);
    expect(refs).toEqual(parts.map((_, i) => i));
    expect(h.sim.sent.map((s) => s.concat?.index)).toEqual(parts.map((_, i) => i + 1));
    expect(h.sim.sent.map((s) => s.text).join("")).toBe(text);
    expect(h.sim.sent.every((s) => s.to === DEBTOR)).toBe(true);
  });

  it("receives single, multipart and UCS-2 SMS and deletes each part only after the handler resolved", async () => {
    const gate: Array<() => void> = [];
    h = await startOnSimulator({}, {}, (hh) =>
      hh.modem.onInbound(async (pdu, raw) => {
        await new Promise<void>((r) => gate.push(r));
        hh.inbound.push({ pdu, raw });
      }),
    );
    h.sim.injectInbound(DEBTOR, "BALANCE");
    await waitFor(() => gate.length === 1, "the handler to be called");
    expect(h.sim.storage.used("SM")).toBe(1); // not deleted while the handler runs
    h.sim.assertReceivedCommand((c) => c.name === "+CMGR");
    expect(h.sim.received.some((c) => c.name === "+CMGD")).toBe(false);
    gate.shift()!();
    await waitFor(() => h!.sim.storage.used("SM") === 0, "the delete");
    const long = "Я заплачу завтра, спасибо! ".repeat(6);
    h.sim.injectInbound(DEBTOR, long, { encoding: "ucs2" });
    for (let i = 0; i < 20 && (gate.length > 0 || h.inbound.length < 4); i++) {
      gate.shift()?.();
      await sleep(20);
    }
    await h.modem.inboxIdle();
    expect(h.inbound[0]!.pdu.text).toBe("BALANCE");
    const parts = h.inbound.slice(1).map((x) => x.pdu);
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.every((p) => p.encoding === "ucs2" && p.concat?.count === parts.length)).toBe(true);
    expect(parts.map((p) => p.text).join("")).toBe(long);
    expect(h.inbound[1]!.raw).toMatchObject({ storage: "SM" });
    expect(h.sim.storage.used("SM")).toBe(0);
  });

  it("keeps a message on the SIM when the handler fails, and hands it over again at the next sweep", async () => {
    let fail = true;
    const got: string[] = [];
    h = await startOnSimulator({}, {}, (hh) =>
      hh.modem.onInbound(async (pdu) => {
        if (fail) throw new Error("disk full");
        got.push(pdu.text);
      }),
    );
    h.sim.injectInbound(DEBTOR, "PAID");
    await waitFor(() => h!.sim.received.some((c) => c.name === "+CMGR"), "the read");
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SM")).toBe(1);
    fail = false;
    await h.modem.refreshHealth(); // sees storage in use → sweep
    await waitFor(() => got.length === 1, "the second hand-over");
    await h.modem.inboxIdle();
    expect(got).toEqual(["PAID"]);
    expect(h.sim.storage.used("SM")).toBe(0);
  });

  it("reads everything stored before start (AT+CMGL=4) before new work", async () => {
    h = await startOnSimulator({}, {}, (hh) => {
      hh.sim.injectInbound(DEBTOR, "first");
      hh.sim.injectInbound(DEBTOR, "second");
    });
    await waitFor(() => h!.inbound.length === 2, "stored messages");
    expect(h.inbound.map((x) => x.pdu.text)).toEqual(["first", "second"]);
    const cmgl = h.sim.received.findIndex((c) => c.name === "+CMGL");
    expect(cmgl).toBeGreaterThan(h.sim.received.findIndex((c) => c.name === "+CNMI"));
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SM")).toBe(0);
  });

  it("hands over status reports routed as +CDS", async () => {
    h = await startOnSimulator();
    const [part] = encodeSubmit("Reminder", { to: DEBTOR, concatReference: 1, statusReport: true }).parts;
    const { reference } = await h.modem.sendPart(part!);
    await waitFor(() => h!.reports.length === 1, "the status report");
    expect(h.reports[0]).toMatchObject({
      type: "status-report",
      reference,
      recipient: DEBTOR,
      outcome: { delivered: true },
    });
  });

  it("reads status reports from storage when announced by +CDSI", async () => {
    h = await startOnSimulator({}, { profile: "e3372" });
    expect(h.sim.settings.cnmi.ds).toBe(2);
    const [part] = encodeSubmit("Reminder", { to: DEBTOR, concatReference: 1, statusReport: true }).parts;
    const { reference } = await h.modem.sendPart(part!);
    await waitFor(() => h!.reports.length === 1, "the stored status report");
    expect(h.reports[0]!.reference).toBe(reference);
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SR")).toBe(0);
  });

  it("reports health (signal, registration, operator, storage) on demand and on the interval", async () => {
    h = await startOnSimulator({}, { healthIntervalMs: 50 });
    const e = await h.modem.refreshHealth();
    expect(e).toMatchObject({
      state: "ready",
      registration: "home",
      operator: "duegate sim",
      signal: { rssi: 21, bars: 4, dbm: -71 },
      storage: { used: 0, total: 30 },
      model: "DUEGATE-SIM",
    });
    const before = h.sim.received.filter((c) => c.name === "+CSQ").length;
    await waitFor(() => h!.sim.received.filter((c) => c.name === "+CSQ").length >= before + 2, "two interval polls");
  });

  it("reads the network time with AT+CCLK", async () => {
    h = await startOnSimulator();
    const t = await h.modem.networkTime();
    expect(Math.abs(t! - Date.now())).toBeLessThan(3000);
  });

  it("runs allow-listed console commands only", async () => {
    h = await startOnSimulator();
    await expect(h.modem.console("AT+CSQ")).resolves.toEqual(["+CSQ: 21,99"]);
    await expect(h.modem.console("AT+CMGD=1,4")).rejects.toMatchObject({ code: ErrorCode.Forbidden });
  });

  it("stops in order: the port is closed and sends are refused", async () => {
    h = await startOnSimulator();
    await h.modem.stop();
    expect(h.modem.ready).toBe(false);
    const [part] = encodeSubmit("x", { to: DEBTOR, concatReference: 1 }).parts;
    await expect(h.modem.sendPart(part!)).rejects.toMatchObject({ context: { temporary: true } });
  });
});
