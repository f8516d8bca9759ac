/**
 * How a request becomes a queued message (docs/outbox.md, "Modules"): the request is checked,
 * a known idempotency key answers with the message it already made, the suppression list is
 * asked, the recipient's context (locale, time zone) is looked up, the message is built once for
 * either channel, and the call resolves only when its record and key are durable. Keyword
 * replies take the reply-first path (src/outbox/reply-first.ts).
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { checkEmailAddress, maskEmail } from "../core/email-address.js";
import { DateTime } from "luxon";
import type { Queue } from "./queue.js";
import type { ReplyFirst } from "./reply-first.js";
import type { RefusalNotice } from "./refusal.js";
import { recipientE164 } from "./recipient.js";
import { recipientContext, type RecipientAccount, type RecipientContext } from "./recipient-context.js";
import { prepareText } from "./encode.js";
import { Priority } from "./types.js";
import type { ConsentCheck, E164Like, EnqueueOutcome, EnqueueRequest, EnqueueResult, OutboxMessage } from "./types.js";

/** What the outbox may ask the ledger: the account a message names, or the accounts that have its number. */
export interface RecipientDirectory {
  account(id: string): RecipientAccount | undefined;
  accountsByNumber(e164: string): RecipientAccount[];
}

export interface AdmissionDeps {
  queue: Queue;
  clock: Clock;
  logger: Logger;
  config: Pick<Config["outbox"], "reminderExpiryHours">;
  modemConfig: Parameters<typeof prepareText>[2];
  gateway: Pick<Config["gateway"], "defaultRegion" | "defaultTimeZone"> &
    Partial<Pick<Config["gateway"], "defaultLocale">>;
  recipients?: RecipientDirectory;
  /** The suppression list; absent only in unit tests of queueing alone. */
  consent?: ConsentCheck;
  /** The outbox has an e-mail lane (email.enabled): otherwise an e-mail is refused. */
  emailEnabled: boolean;
  refused: RefusalNotice;
  replyFirst: ReplyFirst;
  /** New work is durable: every lane looks again. */
  wake: () => void;
}

/** The fields a message has whatever its channel; the channel adds recipient, encoding and parts. */
export type BaseMessage = Omit<OutboxMessage, "to" | "encoding" | "partCount" | "parts">;

export class Admission {
  /** Idempotency key -> the admission of its first request, under way (a duplicate waits for it). */
  private readonly admitting = new Map<string, Promise<void>>();
  /** Time zones already found valid (luxon's check costs more than the rest of a request). */
  private readonly knownZones = new Set<string>();

  constructor(private readonly d: AdmissionDeps) {}

  private get q(): Queue {
    return this.d.queue;
  }

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    this.checkRequest(req);
    if (this.q.hasKey(req.idempotencyKey)) {
      await this.admitting.get(req.idempotencyKey); // a concurrent first enqueue: its result, once durable
      const existing = await this.findByKey(req.idempotencyKey);
      if (existing) return { status: "duplicate", message: structuredClone(existing) };
    }
    const m = this.build(req, this.d.clock.now());
    // Reserved before the first await: a concurrent duplicate sees it and waits for this one.
    this.q.reserveKey(m.idempotencyKey, m.id);
    const snapshot = structuredClone(m); // callers get a copy: the sender changes the live one
    this.q.enter(m);
    // The hot path of a keyword reply (docs/outbox.md, "Keyword replies go first"): chosen before its
    // write starts, so that the write records it as `sending`: one write, not two, before +CMGS.
    const persist = () => this.q.persistAdmission(m, true);
    const admitted = m.priority === Priority.reply ? this.d.replyFirst.admit(m, persist) : persist();
    this.admitting.set(
      m.idempotencyKey,
      admitted.catch(() => undefined),
    );
    try {
      await admitted;
    } catch (e) {
      this.q.takeBack(m, `not stored: ${errorMessage(e)}`);
      throw e;
    } finally {
      this.admitting.delete(m.idempotencyKey);
    }
    this.d.wake();
    return { status: "queued", message: snapshot };
  }

  /**
   * A batch (docs/outbox.md, "Batch admission"): each request answered as enqueue would, the
   * new messages written as one group (their record files side by side with one directory
   * fsync, their keys in one append) instead of one after the other. Not picked by the sender
   * until the batch is durable. Meant for the dunning engine's runs (chunks of some hundreds:
   * the caller bounds the batch); keyword replies go through enqueue (their fast path).
   */
  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    const out: Array<EnqueueOutcome | undefined> = new Array<EnqueueOutcome | undefined>(reqs.length);
    const refuse = (i: number, e: unknown): void => {
      out[i] = {
        status: "refused",
        error:
          e instanceof DuegateError
            ? e
            : new DuegateError(ErrorCode.Validation, `enqueue: ${e instanceof Error ? e.message : String(e)}`, {
                idempotencyKey: reqs[i]?.idempotencyKey,
              }),
      };
    };
    // Keys known before this batch (the only awaits before the admission): their messages, if
    // any is stored; a key without one is forgotten by findByKey and admitted again below.
    const known = new Set<string>();
    reqs.forEach((req, i) => {
      try {
        this.checkRequest(req);
        if (this.q.hasKey(req.idempotencyKey)) known.add(req.idempotencyKey);
      } catch (e) {
        refuse(i, e);
      }
    });
    const found = known.size > 0 ? await this.findManyByKey(known) : new Map<string, OutboxMessage>();
    // From here to the write, synchronous: keys reserved and messages entered in request order.
    const now = this.d.clock.now();
    const fresh: Array<{ i: number; m: OutboxMessage; snapshot: OutboxMessage }> = [];
    const duplicates: number[] = [];
    reqs.forEach((req, i) => {
      if (out[i]) return;
      const existing = found.get(req.idempotencyKey);
      if (existing) {
        out[i] = { status: "duplicate", message: structuredClone(existing) };
        return;
      }
      if (this.q.hasKey(req.idempotencyKey)) {
        duplicates.push(i); // earlier in this batch, or a concurrent enqueue: answered once durable
        return;
      }
      try {
        const m = this.build(req, now);
        this.q.reserveKey(m.idempotencyKey, m.id);
        fresh.push({ i, m, snapshot: structuredClone(m) });
      } catch (e) {
        refuse(i, e);
      }
    });
    if (fresh.length > 0) {
      const batch = fresh.map((f) => f.m);
      this.q.holdBatch(batch);
      for (const m of batch) this.q.enter(m);
      const admitted = this.q.persistAdmissions(batch);
      const settled = admitted.catch(() => undefined);
      for (const m of batch) this.admitting.set(m.idempotencyKey, settled);
      try {
        await admitted;
      } catch (e) {
        // Nothing of the batch is acknowledged: the keys and records go (a record file that
        // reached the disk is removed; a key line alone is an orphan that findByKey admits again).
        for (const m of batch) this.q.takeBack(m, `not stored: ${errorMessage(e)}`);
        await this.q.removeRecords(batch);
        throw e;
      } finally {
        this.q.releaseBatch(batch);
        for (const m of batch) this.admitting.delete(m.idempotencyKey);
      }
      for (const { i, snapshot } of fresh) out[i] = { status: "queued", message: snapshot };
      this.d.wake();
    }
    for (const i of duplicates) {
      const key = reqs[i]!.idempotencyKey;
      await this.admitting.get(key);
      const existing = await this.findByKey(key);
      if (existing) out[i] = { status: "duplicate", message: structuredClone(existing) };
      else
        refuse(
          i,
          new DuegateError(ErrorCode.StoreWrite, `enqueue: the concurrent admission of key ${key} failed; try again`, {
            idempotencyKey: key,
          }),
        );
    }
    return out as EnqueueOutcome[];
  }

  /** What enqueue checks before anything else (before looking for a duplicate). */
  private checkRequest(req: EnqueueRequest): void {
    if (!req.idempotencyKey?.trim())
      throw new DuegateError(ErrorCode.Validation, "enqueue: idempotencyKey is required", { field: "idempotencyKey" });
    if (typeof req.text !== "string" || req.text.length === 0)
      throw new DuegateError(ErrorCode.Validation, "enqueue: text is empty", {
        field: "text",
        idempotencyKey: req.idempotencyKey,
      });
  }

  /** A new message from a request (synchronous). Throws InvalidNumber, OptedOut, Validation, or for an e-mail EmailNotConfigured, InvalidEmail. */
  private build(req: EnqueueRequest, now: Millis): OutboxMessage {
    if (req.channel === "email") return this.buildEmail(req, now);
    const to = recipientE164(req.to, this.d.gateway.defaultRegion);
    // A reminder brings its account's context; only what the request leaves open is looked up.
    const base = this.baseMessage(req, now, this.contextFor(req, to));
    const verdict = this.d.consent?.verdict(to, req.consentExemption) ?? { ok: true };
    if (!verdict.ok) {
      this.d.refused({ idempotencyKey: req.idempotencyKey, to, origin: req.origin }, verdict.reason, "admission");
      throw new DuegateError(ErrorCode.OptedOut, `refused: ${verdict.reason}`, {
        field: "to",
        idempotencyKey: req.idempotencyKey,
      });
    }
    const prepared = prepareText(req.text, base.locale, this.d.modemConfig);
    const m: OutboxMessage = {
      ...base,
      to,
      encoding: prepared.encoding,
      partCount: prepared.parts,
      ...(req.consentExemption ? { consentExemption: { ...req.consentExemption } } : {}),
      parts: Array.from({ length: prepared.parts }, (_, i) => ({ index: i + 1 })),
    };
    this.checkZones(m.timeZones);
    return m;
  }

  /** A new e-mail from a request (synchronous). Throws EmailNotConfigured, InvalidEmail or Validation. */
  private buildEmail(req: EnqueueRequest, now: Millis): OutboxMessage {
    if (!this.d.emailEnabled)
      throw new DuegateError(
        ErrorCode.EmailNotConfigured,
        "enqueue: e-mail is not enabled (email.enabled, docs/email.md)",
        { field: "channel", idempotencyKey: req.idempotencyKey },
      );
    const address = checkEmailAddress(req.to);
    if (!address.ok)
      throw new DuegateError(ErrorCode.InvalidEmail, `enqueue: "${maskEmail(String(req.to))}" is ${address.reason}`, {
        field: "to",
        idempotencyKey: req.idempotencyKey,
      });
    const email = req.email;
    if (!email || typeof email.subject !== "string" || email.subject.trim() === "" || /[\r\n]/.test(email.subject))
      throw new DuegateError(ErrorCode.Validation, "enqueue: an e-mail needs a one-line subject", {
        field: "email.subject",
        idempotencyKey: req.idempotencyKey,
      });
    const m: OutboxMessage = {
      ...this.baseMessage(req, now, this.contextFor(req, "")),
      to: address.address as E164Like,
      channel: "email",
      email: {
        subject: email.subject,
        html: email.html,
        ...(email.unsubscribe ? { unsubscribe: email.unsubscribe } : {}),
      },
      encoding: "mime",
      partCount: 1,
      parts: [{ index: 1 }],
    };
    this.checkZones(m.timeZones);
    return m;
  }

  /**
   * What an SMS and an e-mail share: identity, text, priority and origin, timing (not before,
   * expiry), the recipient's zones and locale, the limit class and the first state. The
   * request's own zones and locale win; `context` fills what it leaves open.
   */
  baseMessage(req: EnqueueRequest, now: Millis, context: RecipientContext | undefined): BaseMessage {
    const givenZones = requestedZones(req);
    const locale = req.locale ?? context?.locale;
    return {
      id: newId("msg"),
      idempotencyKey: req.idempotencyKey,
      text: req.text,
      priority: req.priority,
      origin: req.origin,
      ...(req.notBefore !== undefined ? { notBefore: req.notBefore } : {}),
      expiresAt: req.expiresAt ?? now + this.d.config.reminderExpiryHours * 3_600_000,
      timeZones: givenZones ?? [context?.timeZone ?? this.d.gateway.defaultTimeZone],
      ...(locale ? { locale } : {}),
      limitClass: req.limitClass ?? (req.origin.kind === "keyword-reply" ? "reply" : "reminder"),
      state: "queued",
      attempts: [],
      createdAt: now,
      history: [{ state: "queued", at: now }],
    };
  }

  /**
   * The recipient's locale and zone, whatever the origin: from the account the message names
   * (a reminder's, an API send's accountId, a reply's first account), else from an account that
   * has the number, else from the number's country, else the gateway's defaults. Undefined when
   * the request gives both itself (nothing is looked up).
   */
  private contextFor(req: EnqueueRequest, to: string): RecipientContext | undefined {
    if (req.locale !== undefined && requestedZones(req)) return undefined;
    const o = req.origin;
    const named =
      o.kind === "dunning" || o.kind === "api" ? o.accountId : o.kind === "keyword-reply" ? o.accountIds[0] : undefined;
    const dir = this.d.recipients;
    const account = dir
      ? ((named !== undefined ? dir.account(named) : undefined) ?? (to ? dir.accountsByNumber(to)[0] : undefined))
      : undefined;
    return recipientContext(to, account, {
      timeZone: this.d.gateway.defaultTimeZone,
      ...(this.d.gateway.defaultLocale ? { locale: this.d.gateway.defaultLocale } : {}),
    });
  }

  private checkZones(zones: readonly string[]): void {
    for (const z of zones) {
      if (this.knownZones.has(z)) continue;
      if (!DateTime.now().setZone(z).isValid)
        throw new DuegateError(ErrorCode.Validation, `enqueue: unknown time zone "${z}"`, {
          field: "timeZones",
          zone: z,
        });
      this.knownZones.add(z);
    }
  }

  /**
   * The stored message of an idempotency key (active, recent or in the history files), or
   * undefined when there is none; a concurrent first admission of the key is waited for.
   */
  async findByKey(key: string): Promise<OutboxMessage | undefined> {
    const id = this.q.idForKey(key);
    if (id === undefined) return undefined;
    const m = this.q.get(id);
    if (m) return m;
    const old = await this.q.findInHistory(id);
    if (old) return old;
    // A key whose record is nowhere: its admission never completed. The record and the key line
    // are written side by side (persistAdmission) and enqueue resolves only when both are
    // durable, so a kill between the two leaves the key alone, and the request was never
    // acknowledged: the sender redelivers it. The record is in neither the active set nor the
    // history (which the key log does not outlive: same retention, and a message reaches the
    // history on or after the day its key was written), so nothing was sent under this key.
    // Refusing it as a duplicate would lose it; it is admitted again.
    this.d.logger.warn(
      { idempotencyKey: key, id },
      "outbox: idempotency key without a stored message (admission cut short); admitted again",
    );
    this.q.forgetKey(key);
    return undefined;
  }

  /**
   * findByKey for several keys with one pass over the history files (for those not in memory);
   * keys without a stored message are forgotten (admitted again), as findByKey does.
   */
  private async findManyByKey(keys: ReadonlySet<string>): Promise<Map<string, OutboxMessage>> {
    const found = new Map<string, OutboxMessage>();
    const inFlight = [...keys].map((k) => this.admitting.get(k)).filter((p): p is Promise<void> => p !== undefined);
    if (inFlight.length > 0) await Promise.all(inFlight);
    const missing = new Map<string, string>(); // id -> key
    for (const key of keys) {
      const id = this.q.idForKey(key);
      if (id === undefined) continue;
      const m = this.q.get(id);
      if (m) found.set(key, m);
      else missing.set(id, key);
    }
    if (missing.size === 0) return found;
    for await (const old of this.q.readHistory({ filter: (r) => missing.has(r.id) })) {
      const key = missing.get(old.id);
      if (key !== undefined) found.set(key, old); // the last record of a message wins
    }
    for (const [id, key] of missing) {
      if (found.has(key) || this.q.idForKey(key) !== id) continue;
      this.d.logger.warn(
        { idempotencyKey: key, id },
        "outbox: idempotency key without a stored message (admission cut short); admitted again",
      );
      this.q.forgetKey(key);
    }
    return found;
  }
}

/** The zones a request names itself (each once), or undefined when it names none. */
function requestedZones(req: EnqueueRequest): string[] | undefined {
  return req.timeZones && req.timeZones.length > 0 ? [...new Set(req.timeZones)] : undefined;
}
