/**
 * Why a waiting message has not gone yet, and when it may: the same checks, in the same order,
 * as the send loop's choice (SendLoop.pick in sender.ts), asked of one message. The panel shows
 * the answer beside a queued message; nothing here changes the queue.
 */
import type { Millis } from "../core/types.js";
import type { LimitVerdict } from "./limits.js";
import { Priority, type OutboxMessage } from "./types.js";

export type WaitCode =
  | "not-before"
  | "retry-backoff"
  | "modem-down"
  | "reply-hold"
  | "send-window"
  | "recipient-limit"
  | "sim-limit"
  | "minute-limit"
  | "in-line";

export interface WaitReason {
  code: WaitCode;
  /** One line for staff. */
  text: string;
  /** When the reason ends, if known: the message may go then (or wait for the next reason). */
  until?: Millis;
}

/** What the send loop knows at this instant. */
export interface WaitContext {
  /** The modem (or pool) can take a part; until then nothing goes. */
  modemReady: boolean;
  /** The loop backs off after a modem failure until this instant. */
  loopPausedUntil: Millis;
  /** Reminders hold while an inbound SMS is read and answered. */
  heldUntil: Millis | undefined;
  repliesExempt: boolean;
  defaultTimeZone: string;
  windowOpens(zones: readonly string[], at: Millis): Millis | undefined;
  messageMayStart(m: OutboxMessage, now: Millis): LimitVerdict;
  partMayGo(now: Millis): LimitVerdict;
}

export function waitReason(m: OutboxMessage, now: Millis, ctx: WaitContext): WaitReason | undefined {
  if (m.state !== "queued" && m.state !== "sending") return undefined;
  if (m.nextAttemptAt !== undefined && m.nextAttemptAt > now) {
    const last = m.attempts[m.attempts.length - 1];
    return {
      code: "retry-backoff",
      text: `retry after a failed attempt${last?.reason ? ` (${last.reason})` : ""}`,
      until: m.nextAttemptAt,
    };
  }
  if (m.notBefore !== undefined && m.notBefore > now)
    return { code: "not-before", text: "not before its planned time", until: m.notBefore };
  if (!ctx.modemReady || ctx.loopPausedUntil > now)
    return {
      code: "modem-down",
      text: "the modem is not ready",
      ...(ctx.loopPausedUntil > now ? { until: ctx.loopPausedUntil } : {}),
    };
  if (ctx.heldUntil !== undefined && m.priority !== Priority.reply)
    return { code: "reply-hold", text: "held while a debtor's SMS is answered", until: ctx.heldUntil };
  if (m.state === "queued" && !(m.limitClass === "reply" && ctx.repliesExempt)) {
    const zones = m.timeZones.length > 0 ? m.timeZones : [ctx.defaultTimeZone];
    const opens = ctx.windowOpens(zones, now);
    if (opens !== now)
      return { code: "send-window", text: "outside the send window", ...(opens !== undefined ? { until: opens } : {}) };
  }
  const start = ctx.messageMayStart(m, now);
  if (!start.ok)
    return {
      code: start.reason.startsWith("SIM") ? "sim-limit" : "recipient-limit",
      text: start.reason,
      until: start.until,
    };
  const minute = ctx.partMayGo(now);
  if (!minute.ok) return { code: "minute-limit", text: minute.reason, until: minute.until };
  return { code: "in-line", text: "next in line: the modem sends one part at a time" };
}
