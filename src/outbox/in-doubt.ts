/**
 * A part in doubt settled by evidence: when the service stopped while a part was at the modem,
 * or +CMGS never answered, the part's TP-MR is unknown, so its delivery report matches no
 * part (reports.ts). A report for the same recipient (through the same SIM, in a pool) within
 * the report window of the doubtful moment, whose TP-MR is none of the message's known parts,
 * can only be about that part: it left after all. It is marked sent with that reference; a
 * message failed for the doubt is taken up again (delivered when that was its last part).
 */
import type { Logger } from "../core/log.js";
import type { Millis } from "../core/types.js";
import { maskNumber } from "../core/mask.js";
import type { StatusReportPdu } from "./encode.js";
import type { Queue } from "./queue.js";
import { phoneReadings } from "../core/phone.js";
import { applyReport } from "./reports.js";
import type { OutboxMessage } from "./types.js";

export interface InDoubtDeps {
  queue: Queue;
  logger: Logger;
  region: string;
}

function candidate(
  m: OutboxMessage,
  readings: ReadonlySet<string>,
  ref: number,
  now: Millis,
  windowMs: Millis,
  modemId: string | undefined,
): boolean {
  const d = m.inDoubt;
  if (!d || now - d.at > windowMs || now < d.at - windowMs) return false;
  // The report's recipient as the network wrote it: the message's E.164 must be one of its readings.
  if (!readings.has(m.to)) return false;
  if (modemId !== undefined && d.modemId !== undefined && d.modemId !== modemId) return false;
  const part = m.parts.find((p) => p.index === d.part);
  if (!part || part.reference !== undefined || m.sendingPart === d.part) return false;
  return !m.parts.some((p) => p.reference === ref);
}

/** Returns true when the report settled a part in doubt. */
export async function settleInDoubt(
  d: InDoubtDeps,
  report: StatusReportPdu,
  now: Millis,
  windowMs: Millis,
  modemId: string | undefined,
): Promise<boolean> {
  const q = d.queue;
  const readings = phoneReadings(report.recipient, d.region);
  const ref = report.reference & 0xff;
  let best: OutboxMessage | undefined;
  for (const m of q.activeAndRecent()) {
    if (!candidate(m, readings, ref, now, windowMs, modemId)) continue;
    if (!best || m.inDoubt!.at > best.inDoubt!.at) best = m;
  }
  if (!best) return false;
  const m = best;
  const doubt = m.inDoubt!;
  const part = m.parts.find((p) => p.index === doubt.part)!;
  part.reference = ref;
  part.submittedAt = doubt.at;
  part.status = "pending";
  m.inDoubt = undefined;
  const log = { id: m.id, to: maskNumber(m.to), part: doubt.part, reference: ref };
  const allSent = m.parts.every((p) => p.reference !== undefined);
  const finished = m.finishedAt !== undefined;
  if (finished && !allSent) {
    // Failed for the doubt before its later parts went: the evidence is kept, the message stays failed.
    d.logger.warn(
      log,
      "outbox: a delivery report shows that the part in doubt left; the message's later parts were never sent, so it stays failed",
    );
    applyReport({ message: m, part }, report, now);
    await q.appendHistory(m);
    return true;
  }
  d.logger.info(log, "outbox: a delivery report settles the part in doubt: it was sent");
  if (finished) {
    m.finishedAt = undefined;
    m.failureReason = undefined;
  }
  if (allSent && m.state !== "submitted") {
    m.state = "submitted";
    m.history.push({
      state: "submitted",
      at: now,
      reason: `part ${doubt.part} was in doubt; its delivery report shows it was sent`,
    });
    m.attempts.push({ at: now, outcome: "submitted", reason: "settled by a delivery report" });
  }
  if (!allSent && m.state === "queued") {
    m.state = "sending"; // its first part is known to have left: the rest follow on the same SIM
    m.history.push({
      state: "sending",
      at: now,
      reason: `part ${doubt.part} was in doubt; its delivery report shows it was sent`,
    });
  }
  q.enter(m);
  const effect = applyReport({ message: m, part }, report, now);
  if (effect.kind === "delivered") await q.finish(m, "delivered");
  else if (effect.kind === "failed") await q.finish(m, "failed", effect.reason);
  else await q.persistMessage(m);
  return true;
}
