import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { DuegateError, ErrorCode, isDuegateError } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import { AtChannel } from "../../src/modem/at/channel.js";
import { AtPriority } from "../../src/modem/at/command.js";
import { cmgr } from "../../src/modem/at/commands/cmgr.js";
import { cmgs } from "../../src/modem/at/commands/cmgs.js";
import { csq } from "../../src/modem/at/commands/csq.js";
import { cregQuery } from "../../src/modem/at/commands/creg.js";
import { raw } from "../../src/modem/at/commands/raw.js";
import type { Urc } from "../../src/modem/at/urc.js";
import { EndSignal, type Transport } from "../../src/modem/transport/transport.js";

/** A transport the test scripts: it records what the channel wrote and feeds bytes back. */
class ScriptedTransport implements Transport {
  readonly description = "scripted";
  readonly writes: string[] = [];
  private listener: (c: Uint8Array) => void = () => {};
  private readonly end = new EndSignal();
  readonly ended = this.end.promise;
  onData(fn: (c: Uint8Array) => void): void {
    this.listener = fn;
  }
  write(bytes: Uint8Array): Promise<void> {
    this.writes.push(Buffer.from(bytes).toString("latin1"));
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.end.settle("closed");
    return Promise.resolve();
  }
  feed(text: string): void {
    this.listener(Buffer.from(text, "latin1"));
  }
}

function setup() {
  const clock = new ManualClock();
  const channel = new AtChannel({ clock, logger: silentLogger() });
  const port = new ScriptedTransport();
  const urcs: Urc[] = [];
  channel.onUrc((u) => urcs.push(u));
  channel.attach(port);
  return { clock, channel, port, urcs };
}

const tick = () => new Promise((r) => setImmediate(r));

describe("AtChannel", () => {
  it("has exactly one command in flight and writes the next only after the final result", async () => {
    const { channel, port } = setup();
    const a = channel.execute(csq(1000));
    const b = channel.execute(cregQuery(1000));
    expect(port.writes).toEqual(["AT+CSQ\r"]);
    port.feed("\r\n+CSQ: 20,99\r\n");
    expect(port.writes).toHaveLength(1);
    port.feed("\r\nOK\r\n");
    expect(port.writes).toEqual(["AT+CSQ\r", "AT+CREG?\r"]);
    port.feed("\r\n+CREG: 0,5\r\n\r\nOK\r\n");
    await expect(a).resolves.toMatchObject({ rssi: 20, dbm: -73 });
    await expect(b).resolves.toBe("roaming");
  });

  it("orders waiting commands by priority, FIFO within one priority", async () => {
    const { channel, port } = setup();
    const first = channel.execute(raw("AT", 1000)); // in flight
    const order: string[] = [];
    const q = [
      channel.execute(csq(1000, AtPriority.Health)).then(() => order.push("health")),
      channel.execute(raw("AT+SEND1", 1000, AtPriority.Send)).then(() => order.push("send1")),
      channel.execute(raw("AT+READ", 1000, AtPriority.Inbound)).then(() => order.push("inbound")),
      channel.execute(raw("AT+SEND2", 1000, AtPriority.Send)).then(() => order.push("send2")),
    ];
    for (let i = 0; i < 5; i++) {
      port.feed(port.writes.at(-1) === "AT+CSQ\r" ? "\r\n+CSQ: 1,1\r\n\r\nOK\r\n" : "\r\nOK\r\n");
      await tick();
    }
    await first;
    await Promise.all(q);
    expect(port.writes.slice(1)).toEqual(["AT+READ\r", "AT+SEND1\r", "AT+SEND2\r", "AT+CSQ\r"]);
    expect(order).toEqual(["inbound", "send1", "send2", "health"]);
  });

  it("routes URCs that arrive inside a response to the URC stream, +CDS with its PDU line", async () => {
    const { channel, port, urcs } = setup();
    const p = channel.execute(cmgr(3, 1000));
    port.feed('\r\n+CMTI: "SM",4\r\n+CMGR: 0,,5\r\n^RSSI: 12\r\n');
    port.feed("\r\n+CDS: 25\r\n0006D60B911326880736F4111011719551401110117195714000\r\n");
    port.feed('0011223344\r\n+QIND: "csq",20,99\r\n\r\nOK\r\n');
    await expect(p).resolves.toEqual({ stat: 0, pdu: "0011223344" });
    expect(urcs).toEqual([
      { type: "cmti", storage: "SM", index: 4 },
      { type: "vendor", name: "^RSSI", text: "^RSSI: 12" },
      { type: "cds", length: 25, pdu: "0006D60B911326880736F4111011719551401110117195714000" },
      { type: "vendor", name: "+QIND", text: '+QIND: "csq",20,99' },
    ]);
  });

  it("routes URCs between commands, and +CREG / +CDSI / RING", async () => {
    const { port, urcs } = setup();
    port.feed('\r\n+CREG: 1\r\n\r\n+CDSI: "SR",2\r\n\r\nRING\r\n\r\n+CGREG: 2,"00C3","0000D6F4"\r\n');
    expect(urcs).toEqual([
      { type: "creg", stat: 1, source: "CREG" },
      { type: "cdsi", storage: "SR", index: 2 },
      { type: "ring" },
      { type: "creg", stat: 2, source: "CGREG" },
    ]);
  });

  it("drops the echo of the command when echo is on", async () => {
    const { channel, port } = setup();
    const p = channel.execute(csq(1000));
    port.feed("AT+CSQ\r\r\n+CSQ: 9,99\r\n\r\nOK\r\n");
    await expect(p).resolves.toMatchObject({ rssi: 9 });
  });

  it("sends the PDU after the prompt with Ctrl-Z and returns the message reference", async () => {
    const { channel, port } = setup();
    const p = channel.execute(cmgs({ pdu: "0011000b916407281553f80000aa0ae8329bfd4697d9ec37", tpduLength: 23 }, 5000));
    expect(port.writes).toEqual(["AT+CMGS=23\r"]);
    port.feed("\r\n> ");
    expect(port.writes[1]).toBe("0011000B916407281553F80000AA0AE8329BFD4697D9EC37\x1a");
    port.feed('\r\n+CMTI: "SM",1\r\n\r\n+CMGS: 77\r\n\r\nOK\r\n');
    await expect(p).resolves.toEqual({ reference: 77 });
  });

  it("maps +CMS ERROR to a typed error with temporary/permanent and the reason", async () => {
    const { channel, port } = setup();
    const p = channel.execute(cmgs({ pdu: "00AA", tpduLength: 1 }, 5000));
    port.feed("\r\n> ");
    port.feed("\r\n+CMS ERROR: 38\r\n");
    const e = await p.catch((x: unknown) => x);
    expect(isDuegateError(e, ErrorCode.ModemCmsError)).toBe(true);
    expect((e as DuegateError).context).toMatchObject({ cms: 38, temporary: true, reason: "network out of order" });
    const q = channel.execute(cmgs({ pdu: "00AA", tpduLength: 1 }, 5000));
    port.feed("\r\n> \r\n+CMS ERROR: 21\r\n");
    await expect(q).rejects.toMatchObject({ context: { cms: 21, temporary: false } });
  });

  it("maps +CME ERROR 11 to a SIM PIN error", async () => {
    const { channel, port } = setup();
    const p = channel.execute(csq(1000));
    port.feed("\r\n+CME ERROR: 11\r\n");
    await expect(p).rejects.toMatchObject({ code: ErrorCode.ModemSimPin, context: { cme: 11 } });
  });

  it("times out per command, cancels an open PDU input with ESC and discards the late answer", async () => {
    const { channel, port, clock } = setup();
    const p = channel.execute(cmgs({ pdu: "00AA", tpduLength: 1 }, 3000));
    port.feed("\r\n> ");
    const settled = p.catch((e: unknown) => e);
    await clock.advance(3000);
    const e = await settled;
    expect(isDuegateError(e, ErrorCode.ModemTimeout)).toBe(true);
    expect((e as DuegateError).context).toMatchObject({ command: "CMGS", inDoubt: true });
    expect(port.writes.at(-1)).toBe("\x1b");
    const next = channel.execute(csq(1000));
    expect(port.writes.at(-1)).toBe("\x1b"); // held back during resync
    port.feed("\r\n+CMGS: 5\r\n\r\nOK\r\n"); // the late answer to the timed-out send
    await clock.advance(200);
    expect(port.writes.at(-1)).toBe("AT+CSQ\r");
    port.feed("\r\n+CSQ: 15,99\r\n\r\nOK\r\n");
    await expect(next).resolves.toMatchObject({ rssi: 15 });
  });

  it("uses a shorter timeout for plain commands than for AT+CMGS", async () => {
    const { channel, clock } = setup();
    const quick = channel.execute(csq(2000)).catch((e: unknown) => e);
    await clock.advance(2000);
    expect(isDuegateError(await quick, ErrorCode.ModemTimeout)).toBe(true);
    expect(cmgs({ pdu: "00", tpduLength: 0 }, 60_000).timeoutMs).toBeGreaterThan(csq(2000).timeoutMs);
  });

  it("fails the command in flight and all queued ones when the port goes away", async () => {
    const { channel } = setup();
    const a = channel.execute(csq(1000)).catch((e: unknown) => e);
    const b = channel.execute(csq(1000)).catch((e: unknown) => e);
    channel.detach(new DuegateError(ErrorCode.ModemUnplugged, "gone", {}));
    expect(isDuegateError(await a, ErrorCode.ModemUnplugged)).toBe(true);
    expect(isDuegateError(await b, ErrorCode.ModemUnplugged)).toBe(true);
    await expect(channel.execute(csq(1000))).rejects.toMatchObject({ code: ErrorCode.ModemNotReady });
  });

  it("logs and skips noise inside a response", async () => {
    const { channel, port } = setup();
    const p = channel.execute(csq(1000));
    port.feed("\xff\xfe\r\n+CSQ: 3,99\r\n~~garbage~~\r\n\r\nOK\r\n");
    await expect(p).resolves.toMatchObject({ rssi: 3 });
  });

  it("answers a parse failure with a typed error, not a crash", async () => {
    const { channel, port } = setup();
    const p = channel.execute(csq(1000));
    port.feed("\r\nOK\r\n");
    await expect(p).rejects.toMatchObject({ code: ErrorCode.ModemParse });
  });
  it("abort() cuts a send short after its PDU went out as an in-doubt timeout, cancels the input with ESC, and drained() resolves", async () => {
    const { channel, port } = setup();
    const send = channel.execute(cmgs({ pdu: "0011", tpduLength: 1 }, 60_000));
    const queued = channel.execute(csq(1000));
    let drained = false;
    void channel.drained().then(() => (drained = true));
    port.feed("> ");
    await tick();
    expect(port.writes[1]).toBe("0011\x1a");
    channel.abort("the service is stopping");
    await expect(send).rejects.toMatchObject({
      code: ErrorCode.ModemTimeout,
      context: { inDoubt: true, temporary: true, aborted: true },
    });
    expect(port.writes[2]).toBe("\x1b");
    expect(port.writes[3]).toBe("AT+CSQ\r"); // queued work goes on until the port is detached
    expect(drained).toBe(false);
    channel.detach(new DuegateError(ErrorCode.ModemClosed, "stopped", {}));
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.ModemClosed });
    await tick();
    expect(drained).toBe(true);
  });

  it("abort() before the prompt says the PDU never went out (not in doubt)", async () => {
    const { channel } = setup();
    const send = channel.execute(cmgs({ pdu: "0011", tpduLength: 1 }, 60_000));
    channel.abort("stopping");
    await expect(send).rejects.toMatchObject({ code: ErrorCode.ModemTimeout, context: { inDoubt: false } });
    await expect(channel.drained()).resolves.toBeUndefined();
  });
});
