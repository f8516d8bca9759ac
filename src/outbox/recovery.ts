/**
 * What a start does with the messages the last run left behind (docs/outbox.md, "Parts in
 * doubt"): a finished message not yet moved goes to the history; a part that was at the modem
 * when the service stopped is in doubt and is settled by outbox.inDoubt (part 1) or sent again
 * with the same concatenation reference (a later part).
 */
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import { maskNumber } from "../core/mask.js";
import type { Queue } from "./queue.js";

export interface RecoveryDeps {
  queue: Queue;
  clock: Clock;
  logger: Logger;
  config: Pick<Config["outbox"], "inDoubt">;
}

/** After a crash: a part that was at the modem is in doubt; settle it by outbox.inDoubt. Durable when it resolves. */
export async function recoverInDoubt(d: RecoveryDeps): Promise<void> {
  const q = d.queue;
  const now = d.clock.now();
  for (const m of q.activeMessages()) {
    if (m.finishedAt !== undefined || !["queued", "sending", "submitted"].includes(m.state)) {
      await q.moveToHistory(m); // finished but not yet removed when the service stopped
      continue;
    }
    if (m.sendingPart === undefined) continue;
    const part = m.sendingPart;
    const reason = `in doubt: the service stopped while part ${part} of ${m.partCount} was at the modem`;
    m.attempts.push({ at: now, outcome: "in-doubt", reason });
    m.sendingPart = undefined;
    m.inDoubt = { part, at: now, ...(m.modemId !== undefined ? { modemId: m.modemId } : {}) };
    if (part > 1) {
      // A later part is sent again with the same concatenation reference and sequence number
      // (docs/outbox.md, "Parts in doubt"): a phone drops a repeated segment, whereas a part
      // never sent would leave the debtor a fragment. outbox.inDoubt decides for part 1 only.
      d.logger.warn(
        { id: m.id, to: maskNumber(m.to), part },
        "outbox: in-doubt later part will be sent again with the same concatenation reference",
      );
      q.markDirty(m);
    } else if (d.config.inDoubt === "fail") {
      d.logger.warn(
        { id: m.id, to: maskNumber(m.to), part },
        "outbox: in-doubt message failed (outbox.inDoubt = fail)",
      );
      await q.finish(m, "failed", reason);
    } else {
      d.logger.warn(
        { id: m.id, to: maskNumber(m.to), part },
        "outbox: in-doubt part will be sent again (outbox.inDoubt = resend)",
      );
      if (!m.parts.some((p) => p.reference !== undefined)) q.setState(m, "queued", reason);
      else q.markDirty(m);
    }
  }
  await q.persist();
}
