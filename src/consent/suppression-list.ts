/**
 * The suppression list: numbers that must not be texted, whoever asks (docs/security.md,
 * "Consent"). Keyed by the E.164 number, not by account: a STOP holds for the phone, also for
 * accounts created after it and for sends that name no account. Kept as a record log in
 * <dataDir>/suppressions (src/store RecordDocument): a change appends that number's record
 * only, and add/remove resolve when it is durable, so a STOP is stored before anything
 * (its confirmation included) is done about it.
 *
 * The outbox asks verdict() at admission and again before each part; the only message that
 * passes for a suppressed number is the confirmation of the very STOP that suppressed it.
 */
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents } from "../api/events.js";
import type { E164 } from "../core/types.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { maskNumber } from "../core/mask.js";
import { storeOf, type DocumentStorage, type DocumentStore, type StoreSource } from "../store/index.js";
import type { ConsentCheck, ConsentExemption, ConsentVerdict } from "../outbox/types.js";
import { consentNumber } from "./number.js";
import {
  describeSource,
  type ConsentSource,
  type NumberConsentChange,
  type SuppressionDocument,
  type SuppressionRecord,
  type SuppressionResult,
} from "./types.js";

export interface SuppressionListDeps extends StoreSource<DocumentStorage> {
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  /** gateway.defaultRegion: numbers without a country code are read in it. */
  region: string;
  /** At most one coalesced write per this interval (add/remove write at once anyway). */
  coalesceMs?: number;
}

/** Reasons are free text from staff or clients: bounded, so a record stays small. */
const REASON_MAX = 200;

export class SuppressionList implements ConsentCheck {
  private constructor(
    private readonly doc: DocumentStore<SuppressionDocument>,
    private readonly d: SuppressionListDeps,
  ) {}

  static async open(d: SuppressionListDeps): Promise<SuppressionList> {
    const doc = await storeOf(d, d.clock, d.logger).recordDocument<SuppressionDocument>(
      "suppressions",
      { schema: 1, numbers: {} },
      {
        logger: d.logger,
        collections: ["numbers"],
        coalesceMs: d.coalesceMs ?? 1000,
        compactMinBytes: 256 * 1024,
        compactRatio: 2,
      },
    );
    return new SuppressionList(doc, d);
  }

  async close(): Promise<void> {
    await this.doc.close();
  }

  /** E.164 of any common form; throws InvalidNumber naming the field. */
  normalise(number: string, field = "number"): E164 {
    return consentNumber(number, this.d.region, field);
  }

  /** True while the number is suppressed (any form; a string that is no number is not on the list). */
  has(number: string): boolean {
    const key = this.tryNormalise(number);
    return key !== undefined && this.doc.data.numbers[key]?.suppressed === true;
  }

  /** The number's record (suppressed or lifted), a copy. */
  get(number: string): SuppressionRecord | undefined {
    const key = this.tryNormalise(number);
    const r = key === undefined ? undefined : this.doc.data.numbers[key];
    return r && structuredClone(r);
  }

  /** Suppressed numbers, newest first; `search` matches digits of the number. */
  list(q: { search?: string; offset?: number; limit?: number } = {}): { total: number; items: SuppressionRecord[] } {
    const digits = q.search?.replace(/\D/g, "") ?? "";
    const all = Object.values(this.doc.data.numbers)
      .filter((r) => r.suppressed && (digits === "" || r.number.includes(digits)))
      .sort((a, b) => (b.since ?? 0) - (a.since ?? 0) || (a.number < b.number ? -1 : 1));
    const offset = Math.max(0, q.offset ?? 0);
    const limit = Math.min(500, Math.max(1, q.limit ?? 50));
    return { total: all.length, items: all.slice(offset, offset + limit).map((r) => structuredClone(r)) };
  }

  /** Records of these numbers that were ever suppressed (the evidence export of an account). */
  recordsOf(numbers: readonly string[]): SuppressionRecord[] {
    const keys = new Set(numbers.map((n) => this.tryNormalise(n)).filter((k): k is E164 => k !== undefined));
    return [...keys]
      .map((k) => this.doc.data.numbers[k])
      .filter((r): r is SuppressionRecord => r !== undefined)
      .map((r) => structuredClone(r));
  }

  /** Every change made from `from` to `to` (inclusive), oldest first, with its number (the Today page). */
  changesBetween(from: number, to: number): NumberConsentChange[] {
    const out: NumberConsentChange[] = [];
    for (const r of Object.values(this.doc.data.numbers))
      for (const c of r.changes) if (c.at >= from && c.at <= to) out.push({ number: r.number, ...structuredClone(c) });
    return out.sort((a, b) => a.at - b.at);
  }

  /** Suppresses the number; durable when it resolves. Already suppressed: the change is still recorded (a second STOP is evidence too). */
  async add(number: string, source: ConsentSource, reason?: string): Promise<SuppressionResult> {
    const key = this.normalise(number);
    const at = this.d.clock.now();
    const why = cleanReason(reason);
    const record = this.doc.data.numbers[key] ?? { number: key, suppressed: false, changes: [] };
    // The same SMS acted on again (after a crash before its "handled" line): recorded once.
    if (record.suppressed && this.lastChangeBy(record, "added", source))
      return { record: structuredClone(record), changed: false };
    const changed = !record.suppressed;
    record.changes.push({ action: "added", at, source, ...(why ? { reason: why } : {}) });
    if (changed) {
      record.suppressed = true;
      record.since = at;
      record.source = source;
      if (why) record.reason = why;
      else delete record.reason;
    }
    await this.write(key, record);
    this.d.logger.info(
      { number: maskNumber(key), by: describeSource(source), changed },
      changed ? "consent: number suppressed" : "consent: number was already suppressed",
    );
    if (changed)
      this.d.bus.emit("consent.changed", {
        number: key,
        suppressed: true,
        source,
        ...(why ? { reason: why } : {}),
        at,
      });
    return { record: structuredClone(record), changed };
  }

  /** Lifts the suppression; durable when it resolves. Not suppressed: nothing changes (NotFound for a number never on the list). */
  async remove(number: string, source: ConsentSource, reason?: string): Promise<SuppressionResult> {
    const key = this.normalise(number);
    const record = this.doc.data.numbers[key];
    if (!record)
      throw new DuegateError(ErrorCode.NotFound, `${maskNumber(key)} is not on the suppression list`, {
        field: "number",
      });
    if (!record.suppressed) return { record: structuredClone(record), changed: false };
    const at = this.d.clock.now();
    const why = cleanReason(reason);
    record.changes.push({ action: "removed", at, source, ...(why ? { reason: why } : {}) });
    record.suppressed = false;
    delete record.since;
    delete record.source;
    delete record.reason;
    await this.write(key, record);
    this.d.logger.info({ number: maskNumber(key), by: describeSource(source) }, "consent: suppression lifted");
    this.d.bus.emit("consent.changed", { number: key, suppressed: false, source, ...(why ? { reason: why } : {}), at });
    return { record: structuredClone(record), changed: true };
  }

  /**
   * The outbox's question (ConsentCheck). A suppressed number is refused, except for the
   * confirmation of a STOP recorded for this number while it is suppressed: only the STOP
   * that is in the record can exempt its own confirmation.
   */
  verdict(to: E164, exemption?: ConsentExemption): ConsentVerdict {
    const r = this.doc.data.numbers[to];
    if (!r?.suppressed) return { ok: true };
    if (exemption?.kind === "stop-confirmation" && this.stoppedBy(r, exemption.inboundId)) return { ok: true };
    return {
      ok: false,
      reason: `opted out: ${maskNumber(to)} is on the suppression list since ${new Date(r.since ?? 0).toISOString()} (${r.source ? describeSource(r.source) : "unknown source"})`,
    };
  }

  /** The last change of this kind came from the same SMS (STOP or START redone after a restart). */
  private lastChangeBy(r: SuppressionRecord, action: "added" | "removed", source: ConsentSource): boolean {
    const last = [...r.changes].reverse().find((c) => c.action === action);
    return source.kind === "sms" && last?.source.kind === "sms" && last.source.inboundId === source.inboundId;
  }

  /** A STOP with this inbound id added the number, and no removal came after it. */
  private stoppedBy(r: SuppressionRecord, inboundId: string): boolean {
    for (let i = r.changes.length - 1; i >= 0; i--) {
      const c = r.changes[i]!;
      if (c.action === "removed") return false;
      if (c.source.kind === "sms" && c.source.keyword === "stop" && c.source.inboundId === inboundId) return true;
    }
    return false;
  }

  private async write(key: E164, record: SuppressionRecord): Promise<void> {
    this.doc.data.numbers[key] = record;
    this.doc.touch?.("numbers", key);
    await this.doc.flush();
  }

  private tryNormalise(number: string): E164 | undefined {
    try {
      return this.normalise(number);
    } catch {
      return undefined;
    }
  }
}

function cleanReason(reason: string | undefined): string | undefined {
  const r = reason?.trim();
  return r ? r.slice(0, REASON_MAX) : undefined;
}
