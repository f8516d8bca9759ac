import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { AtChannel } from "../../src/modem/at/channel.js";
import { cmgs } from "../../src/modem/at/commands/cmgs.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { EndSignal, type Transport } from "../../src/modem/transport/transport.js";
import { startOnSimulator, waitFor, type Harness } from "./helpers.js";

/** One test per compat flag in firmware-config/profiles. */
let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

function promptTransport(): Transport & { writes: string[]; feed(t: string): void } {
  const end = new EndSignal();
  let listener: (c: Uint8Array) => void = () => {};
  const writes: string[] = [];
  return {
    description: "scripted",
    writes,
    onData: (fn) => void (listener = fn),
    write: (b) => (writes.push(Buffer.from(b).toString("latin1")), Promise.resolve()),
    close: () => (end.settle("closed"), Promise.resolve()),
    ended: end.promise,
    feed: (t) => listener(Buffer.from(t, "latin1")),
  };
}

describe("compat flags", () => {
  it("promptWithoutSpace: a lone > is taken as the prompt at once", async () => {
    const clock = new ManualClock();
    const channel = new AtChannel({ clock, logger: silentLogger(), promptWithoutSpace: true });
    const port = promptTransport();
    channel.attach(port);
    const p = channel.execute(cmgs({ pdu: "00AA", tpduLength: 1 }, 5000));
    port.feed("\r\n>");
    expect(port.writes[1]).toBe("00AA\x1a");
    port.feed("\r\n+CMGS: 4\r\n\r\nOK\r\n");
    await expect(p).resolves.toEqual({ reference: 4 });
  });

  it("without promptWithoutSpace a lone > still works, after the quiet-gap flush", async () => {
    const clock = new ManualClock();
    const channel = new AtChannel({ clock, logger: silentLogger(), flushMs: 300 });
    const port = promptTransport();
    channel.attach(port);
    const p = channel.execute(cmgs({ pdu: "00AA", tpduLength: 1 }, 5000));
    port.feed("\r\n>");
    expect(port.writes).toHaveLength(1);
    await clock.advance(300);
    expect(port.writes[1]).toBe("00AA\x1a");
    port.feed("\r\n+CMGS: 5\r\n\r\nOK\r\n");
    await expect(p).resolves.toEqual({ reference: 5 });
  });

  it('statusReportStorage (ec25): +CDSI announced as "SM" is read from SR', async () => {
    h = await startOnSimulator({ cdsiAnnounceAs: "SM" }, { profile: "ec25" });
    const [part] = encodeSubmit("Reminder", { to: "+491701234567", concatReference: 1, statusReport: true }).parts;
    const { reference } = await h.modem.sendPart(part!);
    await waitFor(() => h!.reports.length === 1, "the status report from SR");
    expect(h.reports[0]!.reference).toBe(reference);
    h.sim.assertReceivedCommand((c) => c.line === 'AT+CPMS="SR"');
    await h.modem.inboxIdle();
    expect(h.sim.storage.used("SR")).toBe(0);
    expect(h.sim.settings.mem[0]).toBe("ME"); // the read storage is restored afterwards
  });

  it("resetReenumerates=false (sim800): after the reset the same port is probed again, not reopened", async () => {
    h = await startOnSimulator({ resetReenumerates: false, resetMs: 50 }, { profile: "sim800" });
    let broken = true;
    h.sim.defineBehavior({
      name: "reset heals",
      onCommand: (_s, c) => ((broken = broken && !(c.name === "+CFUN" && c.op === "set")), false),
    });
    h.sim.defineBehavior({
      name: "SIM failure",
      onCommand: (s, c) => (broken && c.name === "+CPIN" ? (s.cme(13), true) : false),
    });
    h.sim.fault.unplug(10);
    await waitFor(() => h!.sim.received.some((c) => c.line === "AT+CFUN=1,1"), "the reset", 8000);
    const connectionsAtReset = h.sim.connections;
    await waitFor(() => h!.modem.ready, "ready after an in-place reset", 8000);
    expect(h.sim.connections).toBe(connectionsAtReset);
  });

  it("resetReenumerates=true (sim7600): after the reset the port is closed and reopened", async () => {
    h = await startOnSimulator({ resetReenumerates: true, resetMs: 50 }, { profile: "sim7600" });
    let broken = true;
    h.sim.defineBehavior({
      name: "reset heals",
      onCommand: (_s, c) => ((broken = broken && !(c.name === "+CFUN" && c.op === "set")), false),
    });
    h.sim.defineBehavior({
      name: "SIM failure",
      onCommand: (s, c) => (broken && c.name === "+CPIN" ? (s.cme(13), true) : false),
    });
    h.sim.fault.unplug(10);
    await waitFor(() => h!.sim.received.some((c) => c.line === "AT+CFUN=1,1"), "the reset", 8000);
    const connectionsAtReset = h.sim.connections;
    await waitFor(() => h!.modem.ready, "ready after re-enumeration", 8000);
    expect(h.sim.connections).toBeGreaterThan(connectionsAtReset);
    expect(h.sim.settings.mem).toEqual(["ME", "ME", "ME"]);
  });
});
