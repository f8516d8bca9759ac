/**
 * The outbox's figures for the status page, the panel and /metrics: message counts of today
 * and each SIM's rotation, budget and limits. Read-only over the store and the lanes.
 */
import { DateTime } from "luxon";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import type { Queue } from "./queue.js";
import type { LaneSet } from "./lanes.js";
import type { OutboxStats } from "./types.js";

/** One SIM's figures. */
export interface SimFigures {
  id: string;
  inRotation: boolean;
  reason?: string;
  retryAt?: number;
  partsToday: number;
  partsThisMonth: number;
  limits: { perDay: number; perMonth: number; perMinute: number };
  costPerPart: number;
}

/** Messages by state now, and today's outcomes in the gateway's zone. */
export function outboxStats(
  q: Pick<Queue, "all" | "isActive">,
  laneSet: LaneSet,
  now: Millis,
  zone: string,
): OutboxStats {
  const startOfDay = DateTime.fromMillis(now, { zone }).startOf("day").toMillis();
  const lanes = laneSet.lanes;
  const partsToday = lanes.reduce((n, l) => n + l.budget.partsToday(now), 0);
  const partsThisMonth = lanes.reduce((n, l) => n + l.budget.partsThisMonth(now), 0);
  const s: OutboxStats = {
    queued: 0,
    sending: 0,
    submitted: 0,
    deliveredToday: 0,
    failedToday: 0,
    sentToday: 0,
    partsToday,
    partsThisMonth,
  };
  for (const m of q.all()) {
    const active = q.isActive(m.id);
    if (active && m.state === "queued") s.queued++;
    if (active && m.state === "sending") s.sending++;
    if (active && m.state === "submitted") s.submitted++;
    const today = (m.finishedAt ?? 0) >= startOfDay;
    if (today && m.state === "delivered") s.deliveredToday++;
    if (today && m.state === "failed") s.failedToday++;
    const firstSent = Math.min(...m.parts.map((p) => p.submittedAt ?? Infinity));
    if (firstSent >= startOfDay && firstSent !== Infinity) s.sentToday++;
  }
  return s;
}

/** Each SIM's rotation, parts sent and limits (its own overrides of outbox.limits applied). */
export function simFigures(laneSet: LaneSet, base: Config["outbox"]["limits"], now: Millis): SimFigures[] {
  return laneSet.lanes.map((l) => {
    const out = l.rotation.outUntil(now);
    const over = l.spec.limits ?? {};
    return {
      id: l.id,
      inRotation: out === undefined && l.outReason === undefined,
      ...(l.outReason !== undefined
        ? { reason: l.outReason }
        : out !== undefined
          ? { retryAt: out, ...(l.rotation.reason ? { reason: l.rotation.reason } : {}) }
          : {}),
      partsToday: l.budget.partsToday(now),
      partsThisMonth: l.budget.partsThisMonth(now),
      limits: {
        perDay: over.partsPerDay ?? base.perSimPerDay,
        perMonth: over.partsPerMonth ?? base.perSimPerMonth,
        perMinute: over.partsPerMinute ?? base.perMinute,
      },
      costPerPart: l.spec.costPerPart,
    };
  });
}
