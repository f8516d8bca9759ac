/**
 * The reports' ports (src/ledger/ports.ts MessageFacts, ReplyFacts) over the outbox's and the
 * inbound service's own history: the composition root's adapters. Each reads streamed,
 * bounded by the period asked for (src/outbox/history-read.ts, src/inbound/history-read.ts).
 */
import type { MessageFacts, ReplyFacts, SentMessageFact } from "./ledger/ports.js";
import type { MessageRange, OutboxMessage } from "./outbox/index.js";
import type { InboundRecord, ReplyRange } from "./inbound/index.js";

export function messageFact(m: OutboxMessage): SentMessageFact {
  const o = m.origin;
  const submitted = m.parts.map((p) => p.submittedAt).filter((t): t is number => t !== undefined);
  const delivered = m.parts.map((p) => p.deliveredAt).filter((t): t is number => t !== undefined);
  const accountId =
    o.kind === "dunning" || o.kind === "api" ? o.accountId : o.kind === "keyword-reply" ? o.accountIds[0] : undefined;
  return {
    id: m.id,
    idempotencyKey: m.idempotencyKey,
    to: m.to,
    channel: m.channel ?? "sms",
    ...(m.email ? { subject: m.email.subject } : {}),
    text: m.text,
    state: m.state,
    parts: m.partCount,
    encoding: m.encoding,
    createdAt: m.createdAt,
    ...(submitted.length ? { submittedAt: Math.min(...submitted) } : {}),
    // Delivered when the last part's report came.
    ...(m.state === "delivered" && delivered.length ? { deliveredAt: Math.max(...delivered) } : {}),
    ...(m.failureReason !== undefined ? { failureReason: m.failureReason } : {}),
    ...(accountId !== undefined ? { accountId } : {}),
    ...(o.kind === "dunning" ? { invoiceIds: o.invoiceIds, step: o.step } : {}),
    ...(o.kind === "keyword-reply" ? { step: `reply:${o.keyword}` } : {}),
    reports: m.parts.map((p) => ({
      index: p.index,
      ...(p.reference !== undefined ? { reference: p.reference } : {}),
      ...(p.status !== undefined ? { status: p.status } : {}),
      ...(p.statusText !== undefined ? { statusText: p.statusText } : {}),
      ...(p.deliveredAt !== undefined ? { at: p.deliveredAt } : {}),
    })),
  };
}

export function outboxMessageFacts(outbox: {
  readMessages(range: MessageRange): AsyncIterable<OutboxMessage>;
}): MessageFacts {
  return {
    async *messages(q) {
      for await (const m of outbox.readMessages(q)) yield messageFact(m);
    },
  };
}

export function inboundReplyFacts(inbound: { replies(q: ReplyRange): Promise<InboundRecord[]> }): ReplyFacts {
  return {
    async *replies(q) {
      for (const r of await inbound.replies(q))
        yield {
          id: r.id,
          from: r.from,
          text: r.text,
          receivedAt: r.receivedAt,
          ...(r.keyword !== undefined ? { keyword: r.keyword } : {}),
        };
    },
  };
}
