/**
 * The e-mail lane of the outbox (docs/email.md): picks queued e-mails and hands them, one at a
 * time, to the EmailTransport port. It runs beside the SMS SendLoop and shares its queue, send
 * windows, per-recipient limits and retry settings, but never its modem: a slow relay does not
 * hold an SMS back, and a long multipart SMS does not hold a mail back.
 *
 * The same durability rules as for SMS: a mail is recorded as `sending` (durable) before it is
 * handed to the relay, its outcome is recorded right after. A crash in between leaves it in
 * doubt, settled by outbox.inDoubt at the next start (Outbox.recover); a mail sent again keeps its
 * Message-ID (derived from the message id and the gateway id), so that mail systems that drop
 * duplicates by Message-ID do so.
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { maskEmail } from "../core/email-address.js";
import type { Queue } from "./queue.js";
import type { SendWindows } from "./windows.js";
import { backoffMs } from "./retry.js";
import { LaneLoop } from "./lane-loop.js";
import type { EmailContent, EmailTransport, OutboxMessage, OutgoingMail } from "./types.js";

export interface EmailLaneSettings {
  /** Mails handed to the relay per minute at most. */
  ratePerMinute: number;
  /** The From address's domain: the right-hand side of every Message-ID. */
  messageIdDomain: string;
  gatewayId: string;
}

export interface EmailLaneDeps {
  queue: Queue;
  windows: () => SendWindows;
  transport: EmailTransport;
  clock: Clock;
  logger: Logger;
  config: Config["outbox"];
  settings: EmailLaneSettings;
  defaultTimeZone: string;
  random: () => number;
}

const IDLE_MS = 3_600_000;

/** True for an e-mail of the outbox (records without a channel are SMS). */
export const isEmail = (m: Pick<OutboxMessage, "channel">): boolean => m.channel === "email";

/** The Message-ID of a message: the same on every attempt and after a restart. */
export function messageIdOf(messageId: string, gatewayId: string, domain: string): string {
  return `<${messageId}.${gatewayId}@${domain}>`;
}

/** RFC 2369 List-Unsubscribe, with RFC 8058 one-click when there is an https target. */
export function unsubscribeHeaders(u: EmailContent["unsubscribe"]): Record<string, string> {
  if (!u) return {};
  const targets = [u.https ? `<${u.https}>` : undefined, u.mailto ? `<mailto:${u.mailto}>` : undefined].filter(
    (t): t is string => t !== undefined,
  );
  if (targets.length === 0) return {};
  return {
    "List-Unsubscribe": targets.join(", "),
    ...(u.https ? { "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" } : {}),
  };
}

/** The e-mail lane: a lane (src/outbox/lane-loop.ts) whose sender is the SMTP port. */
export class EmailLane extends LaneLoop {
  private pausedUntil = 0;
  /** When each of the last minute's mails went (the relay's rate limit). */
  private readonly recent: Millis[] = [];
  /** Why the next mail waits, if it does. */
  lastWait: string | undefined;

  constructor(private readonly d: EmailLaneDeps) {
    super({
      clock: d.clock,
      logger: d.logger,
      label: "e-mail lane",
      stepLabel: "e-mail step",
      retryMs: () => d.config.notReadyPollMs,
    });
  }

  /** One pass of the loop: the next mail that may go, else a sleep until one may. */
  protected async step(): Promise<void> {
    const now = this.d.clock.now();
    if (now < this.pausedUntil) {
      await this.sleep(this.pausedUntil - now);
      return;
    }
    const p = this.pick(now);
    if ("message" in p) {
      this.lastWait = undefined;
      await this.transmit(p.message);
      return;
    }
    await this.sleep(Math.min(p.wakeAt ?? Infinity, now + IDLE_MS) - now);
  }

  /** The next mail that may go now, or when to look again. Same order as SMS: priority, then age. */
  pick(now: Millis): { message: OutboxMessage } | { wakeAt: Millis | undefined } {
    const q = this.d.queue;
    let wakeAt: Millis | undefined;
    const soonest = (t: Millis | undefined): void => {
      if (t !== undefined && (wakeAt === undefined || t < wakeAt)) wakeAt = t;
    };
    const candidates = q.waitingWork().filter((m) => isEmail(m) && m.state === "queued" && m.finishedAt === undefined);
    if (candidates.length === 0) return { wakeAt };
    while (this.recent.length > 0 && this.recent[0]! <= now - 60_000) this.recent.shift();
    if (this.recent.length >= this.d.settings.ratePerMinute) {
      this.lastWait = `${this.d.settings.ratePerMinute} mails in the last minute (email.ratePerMinute)`;
      return { wakeAt: this.recent[0]! + 60_000 };
    }
    candidates.sort((a, b) => a.priority - b.priority || q.compareAge(a, b));
    const windows = this.d.windows();
    const windowCache = new Map<string, Millis | undefined>();
    let wait: string | undefined;
    for (const m of candidates) {
      const notBefore = Math.max(m.notBefore ?? 0, m.nextAttemptAt ?? 0);
      if (notBefore > now) {
        soonest(notBefore);
        continue;
      }
      if (!(m.limitClass === "reply" && windows.repliesExempt)) {
        const zones = m.timeZones.length > 0 ? m.timeZones : [this.d.defaultTimeZone];
        const key = zones.join("|");
        if (!windowCache.has(key)) windowCache.set(key, windows.nextOpening(zones, now));
        const opens = windowCache.get(key);
        if (opens !== now) {
          soonest(opens);
          wait ??= "outside the send window";
          continue;
        }
      }
      const v = q.limits.messageMayStart(m, now);
      if (!v.ok) {
        soonest(v.until);
        wait ??= v.reason;
        continue;
      }
      return { message: m };
    }
    this.lastWait = wait ?? "not before its time or retry delay";
    return { wakeAt };
  }

  private mailOf(m: OutboxMessage): OutgoingMail {
    const s = this.d.settings;
    return {
      to: m.to,
      subject: m.email?.subject ?? "",
      text: m.text,
      html: m.email?.html ?? "",
      messageId: messageIdOf(m.id, s.gatewayId, s.messageIdDomain),
      headers: unsubscribeHeaders(m.email?.unsubscribe),
    };
  }

  private async transmit(m: OutboxMessage): Promise<void> {
    const q = this.d.queue;
    // Synchronous from the pick to here: nobody can cancel m after its state is `sending`.
    m.sendingPart = 1;
    q.setState(m, "sending");
    try {
      await q.persistMessage(m); // durable BEFORE the relay sees it
    } catch (e) {
      m.sendingPart = undefined;
      if (m.finishedAt === undefined && q.isActive(m.id)) q.setState(m, "queued", "not recorded as sending");
      throw e;
    }
    const now0 = this.d.clock.now();
    this.recent.push(now0);
    let response: string;
    try {
      ({ response } = await this.d.transport.send(this.mailOf(m)));
    } catch (e) {
      await this.failed(m, e);
      return;
    }
    const now = this.d.clock.now();
    const part = m.parts[0];
    if (part) part.submittedAt = now;
    m.sendingPart = undefined;
    m.attempts.push({ at: now, outcome: "submitted", reason: response });
    q.limits.recordMessage(m.to, m.limitClass, now);
    q.setState(m, "submitted", response);
    // No delivery report comes for a mail: the relay's acceptance is the last word the outbox gets.
    m.finishedAt = now;
    await q.moveToHistory(m);
    this.d.logger.info({ id: m.id, address: maskEmail(m.to) }, "outbox: mail accepted by the relay");
  }

  private async failed(m: OutboxMessage, e: unknown): Promise<void> {
    const q = this.d.queue;
    const now = this.d.clock.now();
    const err =
      e instanceof DuegateError ? e : new DuegateError(ErrorCode.EmailTemporary, `unexpected: ${errorMessage(e)}`);
    const permanent = err.code === ErrorCode.EmailRejected || err.code === ErrorCode.InvalidEmail;
    m.sendingPart = undefined;
    m.attempts.push({ at: now, outcome: permanent ? "permanent" : "temporary", reason: err.message, code: err.code });
    // Relays often quote the recipient in their answer ("550 <jana@…>: no such user"): masked in the log, kept in the record.
    const log = {
      id: m.id,
      address: maskEmail(m.to),
      code: err.code,
      failureClass: err.context.failureClass,
      reason: err.message.split(m.to).join(maskEmail(m.to)),
    };
    if (permanent) {
      this.d.logger.warn(log, "outbox: mail refused by the relay (permanent)");
      await q.finish(m, "failed", err.message);
      return;
    }
    // The relay itself is the problem (down, refusing, TLS or login failing): every mail would
    // fail alike, so the lane pauses instead of burning each mail's attempts in turn.
    if (err.context.connectionLevel === true) this.pausedUntil = now + this.d.config.retry.modemPauseMs;
    const failures = m.attempts.filter((a) => a.outcome === "temporary" || a.outcome === "in-doubt").length;
    if (failures >= this.d.config.retry.maxAttempts) {
      this.d.logger.warn(log, "outbox: mail given up after repeated temporary failures");
      await q.finish(m, "failed", `gave up after ${failures} attempts: ${err.message}`);
      return;
    }
    m.nextAttemptAt = now + backoffMs(failures, this.d.config.retry, this.d.random);
    this.d.logger.info({ ...log, retryInMs: m.nextAttemptAt - now }, "outbox: temporary mail failure; will retry");
    q.setState(m, "queued", err.message);
    await q.persist();
  }
}
