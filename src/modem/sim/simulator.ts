import type { Clock } from "../../core/clock.js";
import { systemClock } from "../../core/clock.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { encodeDeliver, type Encoding } from "../../sms/index.js";
import type { Transport } from "../transport/transport.js";
import { DEFAULT_BEHAVIORS } from "./behaviors/default.js";
import { createFaults, type SimFaults } from "./behaviors/faults.js";
import { parseCommandLine, type SimCommand } from "./command-line.js";
import { serveTcp, servePty } from "./expose.js";
import { inProcessPair, type SimLink } from "./link.js";
import { RadioMeter } from "./radio.js";
import { SimStorage } from "./storage.js";
import { tpduLength } from "./tpdu.js";

export { tpduLength };

/** A behavior answers a command (zwave-js MockControllerBehavior): true = handled. */
export interface SimBehavior {
  readonly name: string;
  onCommand(sim: ModemSimulator, cmd: SimCommand): boolean;
}

export interface SimulatorOptions {
  /** Radio time per sent part, ms. default 300. */
  sendLatencyMs?: number;
  /** Time from a send to its status report, ms. default 2000. */
  deliveryReportDelayMs?: number;
  ownNumber?: string;
  /** Slots in SM and ME. default 30. */
  storageSize?: number;
  clock?: Clock;
  /** Time before every answer, ms. default 0. */
  commandLatencyMs?: number;
  /** AT+CFUN=1,1 drops the port like a USB modem (default true) or resets in place like a UART module. */
  resetReenumerates?: boolean;
  /** How long a reset takes, ms. default 300. */
  resetMs?: number;
  /** Quectel quirk: announce stored status reports as +CDSI with this storage name ("SM") although they are in "SR". */
  cdsiAnnounceAs?: string;
  /** Model for AT+CGMM / ATI. default "DUEGATE-SIM". */
  model?: string;
}

/** Volatile modem settings: lost at reset or power loss, so the driver must set them again. */
export interface SimSettings {
  echo: boolean;
  cmgf: number;
  cmee: number;
  cnmi: { mt: number; ds: number };
  mem: [string, string, string];
  pinEntered: boolean;
  /** AT+CREG=<n>: 1 = registration changes as +CREG URCs. */
  creg: number;
}

const freshSettings = (): SimSettings => ({
  echo: true,
  cmgf: 0,
  cmee: 0,
  cnmi: { mt: 0, ds: 0 },
  mem: ["SM", "SM", "SM"],
  pinEntered: false,
  creg: 0,
});

/**
 * A GSM modem in TypeScript speaking the AT subset duegate uses, in PDU mode, with faults
 * to switch on. In-process (connect()), on TCP (serveTcp) or on a pseudo-terminal through
 * socat (servePty), so the same simulator tests the driver and a real serial stack.
 */
export class ModemSimulator {
  readonly clock: Clock;
  readonly opts: Required<Omit<SimulatorOptions, "clock" | "cdsiAnnounceAs">> & { cdsiAnnounceAs?: string };
  readonly sent: Array<{
    to: string;
    text: string;
    reference: number;
    at: number;
    pdu: string;
    concat?: { reference: number; count: number; index: number };
  }> = [];
  readonly received: SimCommand[] = [];
  readonly storage: SimStorage;
  readonly radio = new RadioMeter();
  readonly fault: SimFaults;
  settings: SimSettings = freshSettings();
  /** PIN the SIM asks for (fault.simPin); undefined = no PIN. */
  requiredPin: string | undefined;
  /** Which registration URCs the host switched on (+CREG, +CGREG, +CEREG). */
  registrationUrcs: string[] = ["+CREG"];
  /** TS 27.007 <stat>: 1 home. */
  registration = 1;
  noNetworkUntil = 0;
  hungUntil = 0;
  unpluggedUntil = 0;
  cmsQueue: number[] = [];
  /** E1750-style quirk (asterisk-chan-dongle #47): stores without +CMTI. */
  silentStorage = false;
  noiseBursts = 0;
  nextReference = 0;
  /** What the network answers to a USSD request (prepaid credit); DCS 15 plain text or 72 UCS-2. */
  ussdAnswer: { text: string; dcs: 15 | 72 } = { text: "Your credit is 12.34 EUR.", dcs: 15 };
  smsc = "+491710760000";
  /** Messages the network holds because the storage is full (delivered when space frees). */
  readonly network: string[] = [];
  private behaviors: SimBehavior[] = [...DEFAULT_BEHAVIORS];
  private link: SimLink | undefined;
  private buffer = "";
  private pduHandler: ((hex: string) => void) | undefined;
  private concatRef = 1;
  private waiters: Array<{ pred: (c: SimCommand) => boolean; resolve: (c: SimCommand) => void }> = [];

  constructor(opts: SimulatorOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.opts = {
      sendLatencyMs: opts.sendLatencyMs ?? 300,
      deliveryReportDelayMs: opts.deliveryReportDelayMs ?? 2000,
      ownNumber: opts.ownNumber ?? "+491700000000",
      storageSize: opts.storageSize ?? 30,
      commandLatencyMs: opts.commandLatencyMs ?? 0,
      resetReenumerates: opts.resetReenumerates ?? true,
      resetMs: opts.resetMs ?? 300,
      model: opts.model ?? "DUEGATE-SIM",
      cdsiAnnounceAs: opts.cdsiAnnounceAs,
    };
    this.storage = new SimStorage({ SM: this.opts.storageSize, ME: this.opts.storageSize, SR: 20 });
    this.fault = createFaults(this);
  }

  /** Puts a behavior in front of the others (last defined wins), e.g. a fault for one test. */
  defineBehavior(b: SimBehavior): void {
    this.behaviors.unshift(b);
  }

  // ---- connections ------------------------------------------------------------------------

  /** The in-process port: the driver's transport for modem.port = "sim". */
  connect(): Promise<Transport> {
    if (this.clock.now() < this.unpluggedUntil)
      return Promise.reject(
        new DuegateError(ErrorCode.ModemUnplugged, "simulated modem is unplugged", { port: "sim" }),
      );
    const pair = inProcessPair((b) => this.receiveFrom(pair.link, b));
    this.attach(pair.link);
    const { transport } = pair;
    return Promise.resolve(transport);
  }

  /** How many times a host connected (tests tell a reopen from an in-place reset). */
  connections = 0;

  /** A new host connection replaces the old one (one port, one user). */
  attach(link: SimLink): void {
    this.connections++;
    this.link?.drop();
    this.link = link;
    this.buffer = "";
    this.pduHandler = undefined;
  }

  detach(link: SimLink): void {
    if (this.link === link) this.link = undefined;
  }

  /** Drops the current connection as an unplug would. */
  dropLink(): void {
    const l = this.link;
    this.link = undefined;
    l?.drop();
  }

  serveTcp(port: number, host: "127.0.0.1" = "127.0.0.1"): Promise<{ port: number; close(): Promise<void> }> {
    return serveTcp(this, port, host);
  }

  servePty(): Promise<{ path: string; close(): Promise<void> }> {
    return servePty(this);
  }

  // ---- the network side -------------------------------------------------------------------

  /** An SMS from `from` arrives: split into parts as needed, stored, announced by +CMTI. */
  injectInbound(from: string, text: string, opts: { encoding?: Encoding; timestamp?: number } = {}): void {
    const pdus = encodeDeliver(text, {
      from,
      timestamp: opts.timestamp ?? this.clock.now(),
      concatReference: this.concatRef++ & 0xff,
      encoding: opts.encoding,
    });
    for (const pdu of pdus) this.deliverPdu(pdu);
  }

  /** Delivers a raw SMS-DELIVER PDU (hex with SMSC prefix), e.g. a malformed one for a test. */
  deliverPdu(pdu: string): void {
    const mem = this.settings.mem[2];
    const index = this.storage.store(mem, { stat: 0, pdu });
    if (index === undefined) {
      this.network.push(pdu); // TS 23.040: the SC keeps it and retries (memory capacity exceeded)
      return;
    }
    if (this.silentStorage || this.isHung()) return;
    if (this.settings.cnmi.mt === 1) this.urc(`+CMTI: "${mem}",${index}`);
    else if (this.settings.cnmi.mt === 2) {
      this.storage.delete(mem, index);
      this.urc(`+CMT: ,${tpduLength(pdu)}`, pdu);
    }
  }

  /** Space was freed: the network retries what it held back. */
  retryNetwork(): void {
    const held = this.network.splice(0);
    for (const pdu of held) this.deliverPdu(pdu);
  }

  isRegistered(): boolean {
    return this.clock.now() >= this.noNetworkUntil && (this.registration === 1 || this.registration === 5);
  }

  isHung(): boolean {
    return this.clock.now() < this.hungUntil;
  }

  // ---- the wire ---------------------------------------------------------------------------

  /** Bytes from a given connection; ignored when it is no longer the current one. */
  receiveFrom(link: SimLink, bytes: Uint8Array): void {
    if (this.link === link) this.receive(bytes);
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (this.isHung()) return;
    this.buffer += Buffer.from(bytes).toString("latin1");
    for (let guard = 0; guard < 1000; guard++) {
      if (this.pduHandler) {
        const end = firstOf(this.buffer, "\x1a", "\x1b");
        if (end < 0) break;
        const body = this.buffer.slice(0, end).trim();
        const cancel = this.buffer[end] === "\x1b";
        this.buffer = this.buffer.slice(end + 1);
        const handler = this.pduHandler;
        this.pduHandler = undefined;
        if (this.settings.echo) this.write(body);
        if (!cancel) handler(body);
        continue;
      }
      const end = this.buffer.indexOf("\r");
      if (end < 0) break;
      // Stray control bytes (an ESC after a cancelled send, line noise) are not part of a command.
      const line = [...this.buffer.slice(0, end)]
        .filter((ch) => ch >= " ")
        .join("")
        .trim();
      this.buffer = this.buffer.slice(end + 1);
      if (line) this.command(line);
    }
    if (this.buffer.length > 8192) this.buffer = "";
  }

  private command(line: string): void {
    if (this.settings.echo) this.write(`${line}\r`);
    const cmd = parseCommandLine(line);
    if (!cmd) return;
    if (this.received.length >= 5000) this.received.splice(0, 1000);
    this.received.push(cmd);
    for (const w of this.waiters.filter((x) => x.pred(cmd))) {
      this.waiters.splice(this.waiters.indexOf(w), 1);
      w.resolve(cmd);
    }
    for (const b of this.behaviors) if (b.onCommand(this, cmd)) return;
    this.respond([], "ERROR");
  }

  /** Waits for the prompt's body (AT+CMGS). */
  expectPdu(handler: (hex: string) => void): void {
    this.pduHandler = handler;
    this.write("\r\n> ");
  }

  /** Information lines and a final result, after the command latency. Noise, if switched on, goes between lines. */
  respond(lines: readonly string[], final = "OK"): void {
    const out: string[] = [];
    for (const l of lines) {
      out.push(`\r\n${l}\r\n`);
      if (this.noiseBursts > 0) out.push('\r\n^RSSI: 17\r\n\xff\xfe\x07\r\n+QIND: "csq",20,99\r\n');
    }
    if (this.noiseBursts > 0) this.noiseBursts--;
    out.push(`\r\n${final}\r\n`);
    const text = out.join("");
    if (this.opts.commandLatencyMs > 0) this.clock.setTimer(this.opts.commandLatencyMs, () => this.write(text));
    else this.write(text);
  }

  /** +CMS ERROR / +CME ERROR as the modem's CMEE setting says (0 gives a bare ERROR). */
  cms(code: number): void {
    this.respond([], this.settings.cmee === 0 ? "ERROR" : `+CMS ERROR: ${code}`);
  }

  cme(code: number): void {
    this.respond([], this.settings.cmee === 0 ? "ERROR" : `+CME ERROR: ${code}`);
  }

  /** An unsolicited result code (and its PDU line for +CDS/+CMT). */
  urc(line: string, pdu?: string): void {
    this.write(pdu ? `\r\n${line}\r\n${pdu}\r\n` : `\r\n${line}\r\n`);
  }

  write(text: string): void {
    if (this.isHung()) return;
    this.link?.send(Buffer.from(text, "latin1"));
  }

  /** Power loss or reset: volatile settings are gone, the SIM asks for its PIN again. */
  reboot(): void {
    this.settings = freshSettings();
    this.pduHandler = undefined;
    this.buffer = "";
  }

  /** Next message reference (TP-MR), 0..255 (TS 23.040 9.2.3.6). */
  takeReference(): number {
    const r = this.nextReference;
    this.nextReference = (r + 1) & 0xff;
    return r;
  }

  // ---- assertions (zwave-js expectHostMessage / assertReceivedHostMessage) ----------------

  expectCommand(timeoutMs: number, pred: (c: SimCommand) => boolean): Promise<SimCommand> {
    return new Promise((resolve, reject) => {
      const w = { pred, resolve: (c: SimCommand) => (timer.cancel(), resolve(c)) };
      const timer = this.clock.setTimer(timeoutMs, () => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`the simulator received no matching command within ${timeoutMs} ms`));
      });
      this.waiters.push(w);
    });
  }

  assertReceivedCommand(pred: (c: SimCommand) => boolean): SimCommand {
    const hit = this.received.find(pred);
    if (!hit)
      throw new Error(
        `the simulator received no matching command (got: ${this.received
          .slice(-10)
          .map((c) => c.line)
          .join(" | ")})`,
      );
    return hit;
  }
}

function firstOf(text: string, a: string, b: string): number {
  const i = text.indexOf(a);
  const j = text.indexOf(b);
  return i < 0 ? j : j < 0 ? i : Math.min(i, j);
}
