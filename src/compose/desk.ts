/**
 * What the office reads and works on: the reports over the outbox's and inbound's history
 * (src/app-facts.ts) and the clerk's desk with its book of marks.
 */
import { Reports } from "../dunning/reports/index.js";
import { Desk } from "../desk/desk.js";
import { DeskBook } from "../desk/desk-book.js";
import { inboundReplyFacts, outboxMessageFacts } from "../app-facts.js";
import type { AppContext } from "./context.js";
import type { Domain } from "./domain.js";

export async function buildDesk(ctx: AppContext, d: Domain) {
  const { clock, bus } = ctx;
  const config = () => ctx.live.current;
  const reports = new Reports({
    ledger: d.ledger,
    stepRecords: () => d.dunning.stepRecords(),
    sendTime: {
      report: (p, withinDays) => d.dunning.sendTimeReport(p, withinDays),
      of: (id) => d.dunning.sendTimeOf(id),
    },
    messages: outboxMessageFacts(d.outbox),
    replies: inboundReplyFacts(d.inbound),
    consent: d.consent,
    clock,
    settings: () => ({ timeZone: config().gateway.defaultTimeZone, costPerPart: config().outbox.costPerPart }),
  });
  // The desk book listens from the start: a mark or an opt-out made before the panel opens is kept.
  const book = await DeskBook.open({
    store: ctx.store,
    bus,
    clock,
    logger: ctx.logger.child({ sub: "desk" }),
    coalesceMs: config().storage.flushIntervalMs,
  });
  const desk = new Desk({
    ledger: d.ledger,
    outbox: d.outbox,
    inbound: d.inbound,
    stepRecords: () => d.dunning.stepRecords(),
    book,
    consent: d.consent,
    clock,
    timeZone: () => config().gateway.defaultTimeZone,
  });
  return { reports, desk, close: () => book.close() };
}
