import { writeFileSync, chmodSync, mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/core/log.js";
import { powerCycle } from "../../src/modem/driver/recovery.js";
import { startOnSimulator, waitFor, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A stand-in for uhubctl that records its arguments. */
function fakeUhubctl(exitCode: number): { command: string; calls: () => string[] } {
  const dir = mkdtempSync(join(tmpdir(), "duegate-uhubctl-"));
  const log = join(dir, "calls");
  const command = join(dir, "uhubctl");
  writeFileSync(command, `#!/bin/sh\necho "$@" >> ${log}\nexit ${exitCode}\n`);
  chmodSync(command, 0o755);
  return { command, calls: () => (existsSync(log) ? readFileSync(log, "utf8").trim().split("\n") : []) };
}

describe("recovery ladder", () => {
  it("power-cycles the USB port with uhubctl (location, port, cycle) and reports failure", async () => {
    const ok = fakeUhubctl(0);
    await expect(powerCycle({ location: "1-1", port: "2", command: ok.command }, silentLogger())).resolves.toBe(true);
    expect(ok.calls()).toEqual(["-l 1-1 -p 2 -a cycle -d 3"]);
    const bad = fakeUhubctl(1);
    await expect(powerCycle({ location: "1-1", port: "2", command: bad.command }, silentLogger())).resolves.toBe(false);
  });

  it("climbs to the USB power cycle when reopening and resetting do not help", async () => {
    const hub = fakeUhubctl(0);
    h = await startOnSimulator(
      {},
      {
        uhubctl: { location: "1-1.3", port: "4", command: hub.command },
        recovery: { backoffBaseMs: 10, backoffMaxMs: 20, resetAfter: 2, powerCycleAfter: 4 },
      },
    );
    let dead = true;
    h.sim.defineBehavior({
      name: "stuck SIM",
      onCommand: (s, c) => (dead && c.name === "+CPIN" ? (s.cme(13), true) : false),
    });
    h.sim.fault.unplug(10);
    await waitFor(() => hub.calls().length > 0, "the power cycle", 8000);
    expect(hub.calls()[0]).toBe("-l 1-1.3 -p 4 -a cycle -d 3");
    h.sim.assertReceivedCommand((c) => c.line === "AT+CFUN=1,1"); // the reset came first
    dead = false;
    await waitFor(() => h!.modem.ready, "ready after the power cycle", 8000);
  });

  it("stop() during recovery returns promptly", async () => {
    h = await startOnSimulator(
      {},
      { recovery: { backoffBaseMs: 5000, backoffMaxMs: 5000, resetAfter: 3, powerCycleAfter: 6 } },
    );
    h.sim.fault.unplug(60_000);
    await waitFor(() => h!.modem.health().state === "recovering", "recovering");
    const t0 = Date.now();
    await h.modem.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(h.modem.health().state).toBe("offline");
    h = undefined;
  });

  it("never hands a message over twice when the delete failed after the handler stored it", async () => {
    h = await startOnSimulator();
    let failDelete = true;
    h.sim.defineBehavior({
      name: "CMGD fails once",
      onCommand: (s, c) => (failDelete && c.name === "+CMGD" ? ((failDelete = false), s.cms(500), true) : false),
    });
    h.sim.injectInbound("+491701234567", "STOP");
    await waitFor(() => h!.inbound.length === 1, "the hand-over");
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SM")).toBe(1); // the delete failed
    await h.modem.refreshHealth(); // storage in use → sweep
    await waitFor(() => h!.sim.storage.used("SM") === 0, "the delete on the sweep");
    await h.modem.inboxIdle();
    expect(h.inbound.map((x) => x.pdu.text)).toEqual(["STOP"]);
  });
});
