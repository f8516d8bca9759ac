import type { Millis } from "../core/types.js";
import type { StatusReportPdu } from "./encode.js";
import { phoneReadings } from "../core/phone.js";
import type { OutboxMessage, PartRef } from "./types.js";

export interface ReportMatch {
  message: OutboxMessage;
  part: PartRef;
}

/**
 * Which part a status report is about (3GPP TS 23.040 9.2.2.3: the report carries the TP-MR
 * of the SMS-SUBMIT and the recipient). TP-MR is one octet and wraps at 256, so the same
 * reference recurs; only parts submitted within the window count, and among them the one
 * still waiting for its report and most recently submitted wins. In a modem pool, only parts
 * sent through the modem the report came in on.
 */
export function matchReport(
  active: Iterable<OutboxMessage>,
  report: Pick<StatusReportPdu, "reference" | "recipient">,
  now: Millis,
  windowMs: Millis,
  region: string,
  modemId?: string,
): ReportMatch | undefined {
  // The report names the recipient as the network writes it ("+49…", "49…", "0176…"): the
  // message's E.164 number must be one of its readings, never merely share the last digits.
  const readings = phoneReadings(report.recipient, region);
  const ref = report.reference & 0xff;
  let best: ReportMatch | undefined;
  const score = (p: PartRef): number =>
    (p.status === "pending" || p.status === undefined ? 1e15 : 0) + (p.submittedAt ?? 0);
  for (const m of active) {
    if (m.state !== "submitted" && m.state !== "sending") continue;
    if (!readings.has(m.to)) continue;
    // TP-MR values are counted per SIM: a report is about a part its own modem sent.
    if (modemId !== undefined && m.modemId !== undefined && m.modemId !== modemId) continue;
    for (const p of m.parts) {
      if (p.reference !== ref || p.submittedAt === undefined) continue;
      if (now - p.submittedAt > windowMs) continue;
      if (!best || score(p) > score(best.part)) best = { message: m, part: p };
    }
  }
  return best;
}

export type ReportEffect = { kind: "delivered" } | { kind: "failed"; reason: string } | { kind: "progress" };

/** Applies a report to its part; says what it means for the message. */
export function applyReport(
  match: ReportMatch,
  report: Pick<StatusReportPdu, "status" | "discharge" | "outcome">,
  now: Millis,
): ReportEffect {
  const { message, part } = match;
  part.statusText = report.outcome.text;
  if (report.outcome.final && report.outcome.delivered) {
    part.status = "delivered";
    part.deliveredAt = report.discharge > 0 ? report.discharge : now;
  } else if (report.outcome.final) {
    part.status = "failed";
    return {
      kind: "failed",
      reason: `part ${part.index} of ${message.partCount} not delivered: ${report.outcome.text} (TP-ST ${report.status})`,
    };
  } else {
    return { kind: "progress" };
  }
  const allDelivered = message.state === "submitted" && message.parts.every((p) => p.status === "delivered");
  return allDelivered ? { kind: "delivered" } : { kind: "progress" };
}
