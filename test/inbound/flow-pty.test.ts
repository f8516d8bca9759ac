/**
 * The BALANCE round trip over a real pseudo-terminal (simulator behind socat, the driver on
 * serialport's native binding). Under CI=true a missing socat fails; elsewhere it skips.
 */
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { debtorNumber, startStack, waitFor, type Stack } from "./stack.js";

const SOCAT = "/usr/bin/socat";
const haveSocat = existsSync(SOCAT);

if (!haveSocat && process.env.CI === "true") {
  describe("inbound over a pty", () => {
    it("needs socat", () => {
      throw new Error(`socat is missing at ${SOCAT}: install it (apt-get install socat); CI must not skip this test`);
    });
  });
} else if (!haveSocat) {
  describe.skip(`inbound over a pty (skipped: socat not found at ${SOCAT})`, () => {
    it("needs socat", () => {});
  });
} else {
  describe("inbound over a pty", () => {
    let stack: Stack | undefined;
    afterEach(async () => {
      await stack?.stop();
      stack = undefined;
    });

    it("answers BALANCE and STOP from debtors, and answers nothing to a stranger", async () => {
      stack = await startStack({ debtors: 2, pty: true });
      const s = stack;
      expect(s.modem.ready).toBe(true);
      const optOuts: unknown[] = [];
      s.bus.on("account.optout", "test", (e) => void optOuts.push(e));
      s.sim.injectInbound(debtorNumber(0), "balance");
      s.sim.injectInbound("+4916099887766", "BALANCE");
      s.sim.injectInbound(debtorNumber(1), "Stop.");
      await waitFor(
        () => s.inbound.list({}).total === 3 && s.sim.sent.length === 2,
        "three stored, two answered",
        20_000,
      );
      await s.modem.inboxIdle();
      expect(s.sim.sent.find((m) => m.to === debtorNumber(0))!.text).toBe(
        "Acme Alarm, account ***0000: €100.00 open, earliest due 1 Feb 2026.",
      );
      expect(s.sim.sent.find((m) => m.to === debtorNumber(1))!.text).toContain("Sie erhalten keine SMS mehr");
      expect(s.sim.sent.some((m) => m.to === "+4916099887766")).toBe(false);
      expect(s.ledger.account("ACC-100001")!.optedOut).toBe(true);
      // Published once, by the ledger that changed the account.
      expect(optOuts).toEqual([
        expect.objectContaining({ accountId: "ACC-100001", number: debtorNumber(1), optedOut: true, source: "sms" }),
      ]);
      expect(s.sim.storage.used("SM")).toBe(0);
    }, 30_000);
  });
}
