import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { createModem, ModemSimulator, type Modem } from "../../src/modem/index.js";
import { encodeSubmit, Reassembler, type DeliverPdu } from "../../src/sms/index.js";
import { FAST, waitFor } from "./helpers.js";

/**
 * End to end over a real pseudo-terminal: the simulator behind socat, the driver on
 * serialport's native binding, so termios, the kernel tty layer and the native read loop are
 * all in the path. Under CI=true a missing socat fails the suite; elsewhere it skips.
 */
const SOCAT = "/usr/bin/socat";
const haveSocat = existsSync(SOCAT);
if (!haveSocat && process.env.CI === "true") {
  describe("pty end-to-end", () => {
    it("needs socat", () => {
      throw new Error(`socat is missing at ${SOCAT}: install it (apt-get install socat); CI must not skip this test`);
    });
  });
} else if (!haveSocat) {
  describe.skip(`pty end-to-end (skipped: socat not found at ${SOCAT})`, () => {
    it("needs socat", () => {});
  });
} else {
  describe("pty end-to-end with serialport's native binding", () => {
    const sim = new ModemSimulator({ sendLatencyMs: 10, deliveryReportDelayMs: 50 });
    let pty: { path: string; close(): Promise<void> };
    let modem: Modem;
    const inbound: DeliverPdu[] = [];
    const reports: number[] = [];

    beforeAll(async () => {
      pty = await sim.servePty();
      modem = createModem({
        port: pty.path,
        baudRate: 115200,
        profile: "generic",
        healthIntervalMs: 60_000,
        clock: systemClock,
        logger: silentLogger(),
        ...FAST,
        timeouts: { ...FAST.timeouts, command: 1000 },
      });
      modem.onInbound(async (pdu) => void inbound.push(pdu));
      modem.onStatusReport(async (r) => void reports.push(r.reference));
      await modem.start();
    });

    afterAll(async () => {
      await modem?.stop();
      await pty?.close();
    });

    it("initialises the modem over the pty", () => {
      expect(modem.ready).toBe(true);
      expect(modem.health()).toMatchObject({ state: "ready", model: "DUEGATE-SIM" });
    });

    it("sends a multipart UCS-2 message and gets each part's reference and status report", async () => {
      const text = "Напоминание: счёт 2026-117 на сумму 1 250,00 ₽ нужно оплатить до 1 декабря. Ответьте BALANCE. ✓";
      const { analysis, parts } = encodeSubmit(text, { to: "+79161234567", concatReference: 200, statusReport: true });
      expect(analysis.encoding).toBe("ucs2");
      expect(parts.length).toBeGreaterThan(1);
      const refs: number[] = [];
      for (const p of parts) refs.push((await modem.sendPart(p)).reference);
      expect(new Set(refs).size).toBe(parts.length);
      expect(sim.sent.map((s) => s.text).join("")).toBe(text);
      await waitFor(() => reports.length === parts.length, "a status report per part");
      expect(reports.sort()).toEqual([...refs].sort());
    });

    it("receives a multipart inbound message, reassembled in full, and deletes it from the SIM", async () => {
      const text = "Ich habe heute überwiesen – Rechnung 2026-117, Grüße aus Köln 😊 ".repeat(3);
      sim.injectInbound("+491701234567", text);
      const r = new Reassembler({ timeoutMs: 60_000 });
      await waitFor(() => inbound.length >= 3, "the inbound parts", 10_000);
      let message;
      for (const p of inbound) message = r.push(p, Date.now()) ?? message;
      expect(message).toMatchObject({ from: "+491701234567", text, incomplete: false });
      await modem.inboxIdle();
      expect(sim.storage.used("SM")).toBe(0);
    });

    it("sees the line drop like a USB unplug, reopens the pty when it is back and sends again", async () => {
      sim.fault.unplug(500);
      await waitFor(() => modem.health().state === "recovering", "the unplug to be noticed", 5000);
      await waitFor(() => modem.ready, "the reopened pty", 15_000);
      const [p] = encodeSubmit("after the replug", { to: "+491701234567", concatReference: 5 }).parts;
      await expect(modem.sendPart(p!)).resolves.toHaveProperty("reference");
    }, 30_000);
  });
}
