import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import { decodePdu, type DecodedPdu, type DeliverPdu, type StatusReportPdu } from "../../sms/index.js";
import type { AtCommand } from "../at/command.js";
import { cmgd } from "../at/commands/cmgd.js";
import { cmgl } from "../at/commands/cmgl.js";
import { cmgr } from "../at/commands/cmgr.js";
import { cpmsSelect } from "../at/commands/cpms.js";
import { AtPriority } from "../at/command.js";
import type { Urc } from "../at/urc.js";
import type { ModemProfile } from "./profile.js";

export type InboundHandler = (pdu: DeliverPdu, raw: { hex: string; storage?: string; index?: number }) => Promise<void>;
export type StatusReportHandler = (report: StatusReportPdu) => Promise<void>;

export interface InboxDeps {
  run: <R>(cmd: AtCommand<R>) => Promise<R>;
  profile: ModemProfile;
  logger: Logger;
}

/**
 * Receiving (TS 27.005 3.4): +CMTI/+CDSI → AT+CMGR → decode → handler → AT+CMGD, strictly in
 * that order, so a message leaves the SIM only after its handler stored it (pain point 7:
 * serialport-gsm deletes before the application read). A sweep (AT+CMGL=4) at start and
 * whenever storage is found non-empty picks up what arrived while we were away or while the
 * modem did not announce it (full storage, pain point 14).
 *
 * Two lanes, each one item at a time: SMS (+CMTI, +CMT, sweeps) and status reports (+CDSI,
 * +CDS). A debtor waits for the reply to an SMS; nobody waits for a delivery report, whose
 * handler writes to disk twice. So a report never holds up a read: the lanes only share the
 * short AT sections that select a storage and read or delete in it (AT+CPMS sets mem1 for the
 * whole modem, so such a section runs alone), never a handler.
 */
export class Inbox {
  private inbound: InboundHandler | undefined;
  private status: StatusReportHandler | undefined;
  /** The lanes' last items. */
  private smsTail: Promise<void> = Promise.resolve();
  private reportTail: Promise<void> = Promise.resolve();
  /** The last AT section that depends on the selected storage. */
  private storageTail: Promise<void> = Promise.resolve();
  private pendingWork = 0;
  /** mem1 as last selected with AT+CPMS. */
  private readStorage: string;
  /** Delivered to the handler but AT+CMGD failed: delete on sight, never deliver twice. */
  private readonly delivered = new Map<string, string>();
  /** Stored reports handed to the report lane and not yet done (a sweep leaves them to it). */
  private readonly reportsQueued = new Set<string>();
  private readonly log: Logger;

  constructor(private readonly d: InboxDeps) {
    this.readStorage = d.profile.storage[0];
    this.log = d.logger.child({ name: "modem.inbox" });
  }

  onInbound(h: InboundHandler): void {
    this.inbound = h;
  }

  onStatusReport(h: StatusReportHandler): void {
    this.status = h;
  }

  /** True while reads or handlers are pending. */
  get busy(): boolean {
    return this.pendingWork > 0;
  }

  /** After (re)init: the modem's mem1 is the profile's again. */
  resetStorage(): void {
    this.readStorage = this.d.profile.storage[0];
  }

  /** Resolves when all inbound work queued so far (both lanes) is done (tests, orderly stop). */
  idle(): Promise<void> {
    return Promise.all([this.smsTail, this.reportTail]).then(() => undefined);
  }

  handleUrc(urc: Urc): void {
    switch (urc.type) {
      case "cmti":
        return this.enqueue("sms", () => this.readOne(urc.storage, urc.index));
      case "cdsi": {
        // Quirk flag statusReportStorage: Quectel announces "SM" for reports stored in "SR".
        const storage = this.d.profile.compat.statusReportStorage ?? urc.storage;
        return this.queueStoredReport(storage, urc.index, () => this.readOne(storage, urc.index));
      }
      case "cds":
        return this.enqueue("report", async () => void (await this.dispatch(urc.pdu, {})));
      case "cmt":
        return this.enqueue("sms", async () => void (await this.dispatch(urc.pdu, {})));
      default:
        return;
    }
  }

  /** Reads and hands over everything stored, in mem1 and in the report storage if separate. */
  sweep(): Promise<void> {
    const storages = [this.d.profile.storage[0]];
    const sr = this.d.profile.compat.statusReportStorage;
    if (sr && !storages.includes(sr)) storages.push(sr);
    for (const s of storages) this.enqueue("sms", () => this.sweepStorage(s));
    return this.idle();
  }

  private enqueue(lane: "sms" | "report", work: () => Promise<void>): void {
    this.pendingWork++;
    const next = (lane === "sms" ? this.smsTail : this.reportTail)
      .then(work)
      .catch((e: unknown) =>
        this.log.warn(
          { err: errorMessage(e), lane },
          "inbound work failed; the message stays stored and is read again at the next sweep",
        ),
      )
      .finally(() => this.pendingWork--);
    if (lane === "sms") this.smsTail = next;
    else this.reportTail = next;
  }

  /** A stored status report goes to the report lane once, however often it is seen. */
  private queueStoredReport(storage: string, index: number, work: () => Promise<void>): void {
    const key = `${storage}:${index}`;
    if (this.reportsQueued.has(key)) return;
    this.reportsQueued.add(key);
    this.enqueue("report", () => work().finally(() => this.reportsQueued.delete(key)));
  }

  /** Runs AT commands in `storage` (selected first) alone, and leaves mem1 at the profile's. */
  private inStorage<R>(storage: string, fn: () => Promise<R>): Promise<R> {
    const run = this.storageTail.then(async () => {
      try {
        await this.select(storage);
        return await fn();
      } finally {
        await this.select(this.d.profile.storage[0]).catch((e: unknown) =>
          this.log.warn({ err: errorMessage(e) }, "could not select the read storage again"),
        );
      }
    });
    this.storageTail = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async select(storage: string): Promise<void> {
    if (storage === this.readStorage) return;
    await this.d.run(cpmsSelect([storage], this.d.profile.timeouts.command, AtPriority.Inbound));
    this.readStorage = storage;
  }

  private async sweepStorage(storage: string): Promise<void> {
    const list = await this.inStorage(storage, () => this.d.run(cmgl(this.d.profile.timeouts.read)));
    if (list.length > 0) this.log.info({ storage, count: list.length }, "stored messages found");
    for (const item of list) {
      if (item.stat === 2 || item.stat === 3) continue; // stored outgoing messages are not ours to read
      if (isStatusReport(item.pdu))
        this.queueStoredReport(storage, item.index, () => this.handleStored(storage, item.index, item.pdu));
      else await this.handleStored(storage, item.index, item.pdu);
    }
  }

  private async readOne(storage: string, index: number): Promise<void> {
    const item = await this.inStorage(storage, () => this.d.run(cmgr(index, this.d.profile.timeouts.read)));
    if (item) await this.handleStored(storage, index, item.pdu);
  }

  private async handleStored(storage: string, index: number, hex: string): Promise<void> {
    const key = `${storage}:${index}`;
    const remove = (): Promise<void> =>
      this.inStorage(storage, () => this.d.run(cmgd(index, this.d.profile.timeouts.command)));
    if (this.delivered.get(key) === hex) {
      await remove();
      this.delivered.delete(key);
      return;
    }
    const handled = await this.dispatch(hex, { storage, index });
    if (!handled) return;
    this.delivered.set(key, hex);
    await remove();
    this.delivered.delete(key);
  }

  /** Decodes and hands over; true when the message may be deleted. */
  private async dispatch(hex: string, where: { storage?: string; index?: number }): Promise<boolean> {
    let pdu: DecodedPdu;
    try {
      pdu = decodePdu(hex);
    } catch (e) {
      // Kept on the SIM it would be read again for ever and fill the storage: drop it, loudly.
      this.log.warn(
        { ...where, err: errorMessage(e), octets: hex.length / 2 },
        "undecodable PDU in modem storage, deleted",
      );
      this.log.debug({ hex }, "undecodable PDU");
      return true;
    }
    if (pdu.type === "deliver") {
      if (!this.inbound) {
        this.log.warn(where, "inbound SMS but no handler yet; left in storage");
        return false;
      }
      await this.inbound(pdu, { hex, ...where });
      return true;
    }
    if (pdu.type === "status-report") {
      if (!this.status) {
        this.log.warn(where, "status report but no handler; dropped");
        return true;
      }
      await this.status(pdu);
      return true;
    }
    return false;
  }
}

/** Whether a stored PDU is a status report (its lane); undecodable ones stay in the SMS lane, which drops them loudly. */
function isStatusReport(hex: string): boolean {
  try {
    return decodePdu(hex).type === "status-report";
  } catch {
    return false;
  }
}
