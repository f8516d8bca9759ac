/**
 * Messages for both adapters: a direct send (MQTT send topic, POST /send), a cancel by
 * selector (MQTT request, POST /cancel) or of one message, a retry, a test message from staff,
 * and the message list as staff read it (with the debtor and why a queued message waits).
 */
import type { CancelRequest, SendRequest } from "../api/payloads.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { Priority, type CancelResult, type ListFilter, type OutboxMessage } from "../outbox/types.js";
import type { WaitReason } from "../outbox/wait-reason.js";
import type { EnqueueResult, MessageQueries, OutboxCommands, Source } from "./ports.js";

/** A direct send: queued durably, the client's id as idempotency key (a republish sends once). */
export async function sendDirect(
  outbox: OutboxCommands,
  req: SendRequest,
  source: Source,
  requestedBy: string,
): Promise<EnqueueResult> {
  return outbox.enqueue({
    idempotencyKey: `send:${req.id}`,
    to: req.to,
    text: req.text,
    priority: Priority.direct,
    origin: {
      kind: "api",
      requestedBy: `${source}:${requestedBy}`,
      ...(req.accountId ? { accountId: req.accountId } : {}),
    },
    ...(req.notBefore !== undefined ? { notBefore: req.notBefore } : {}),
    ...(req.expiresAt !== undefined ? { expiresAt: req.expiresAt } : {}),
  });
}

export function cancelSelector(
  req: CancelRequest,
): { id: string } | { idempotencyKey: string } | { invoiceId: string } | { accountId: string } {
  const given = (["id", "idempotencyKey", "invoiceId", "accountId"] as const).filter((k) => req[k] !== undefined);
  if (given.length !== 1)
    throw new DuegateError(ErrorCode.Validation, "give exactly one of id, idempotencyKey, invoiceId, accountId", {
      field: given[1] ? `/${given[1]}` : "/id",
    });
  const k = given[0]!;
  // A send request's id becomes the idempotency key "send:<id>" (sendDirect).
  if (k === "idempotencyKey")
    return {
      idempotencyKey: req.idempotencyKey!.startsWith("send:") ? req.idempotencyKey! : `send:${req.idempotencyKey}`,
    };
  return { [k]: req[k]! } as { id: string };
}

/** Cancels one message; a message that is already on its way (or unknown) is an error that says which. */
export async function cancelMessage(outbox: OutboxCommands, id: string, by: string): Promise<CancelResult> {
  const r = await outbox.cancel({ id }, `cancelled by ${by}`);
  if (r.cancelled.length === 0) {
    const state = r.notCancellable[0]?.state;
    throw new DuegateError(
      ErrorCode.NotCancellable,
      state ? `a ${state} message cannot be cancelled` : `no message ${id}`,
      { id },
    );
  }
  return r;
}

const escapeHtml = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A one-off message from staff (a test of the modem or the mail relay): never deduplicated, sent ahead of reminders. */
export async function sendTestMessage(
  outbox: OutboxCommands,
  req: { to: string; text: string; channel?: "sms" | "email" },
  by: string,
): Promise<EnqueueResult> {
  return outbox.enqueue({
    idempotencyKey: newId("test"),
    to: req.to,
    text: req.text,
    ...(req.channel === "email"
      ? {
          channel: "email" as const,
          email: { subject: "duegate test message", html: `<p>${escapeHtml(req.text).replace(/\n/g, "<br>")}</p>` },
        }
      : {}),
    priority: Priority.direct,
    origin: { kind: "test", requestedBy: by },
    limitClass: "reply",
  });
}

/** A message as staff read it: the debtor's account and name, and for a waiting one why it waits. */
export type MessageView = OutboxMessage & { accountId?: string; name?: string; wait?: WaitReason };

export function messageView(s: MessageQueries, m: OutboxMessage, now: number): MessageView {
  const o = m.origin;
  const accountId =
    o.kind === "dunning"
      ? o.accountId
      : o.kind === "keyword-reply"
        ? o.accountIds[0]
        : o.kind === "api"
          ? o.accountId
          : undefined;
  const name = accountId ? s.ledger.account(accountId)?.name : undefined;
  const wait = s.outbox.waitReason?.(m, now);
  return { ...m, ...(accountId ? { accountId } : {}), ...(name ? { name } : {}), ...(wait ? { wait } : {}) };
}

export function listMessages(s: MessageQueries, filter: ListFilter): { total: number; items: MessageView[] } {
  const page = s.outbox.list(filter);
  const now = s.clock.now();
  return { total: page.total, items: page.items.map((m) => messageView(s, m, now)) };
}

/** One message by the gateway's id, a client's send id or an idempotency key. */
export function findMessage(s: MessageQueries, id: string): MessageView {
  const m = s.outbox.get(id) ?? s.outbox.byIdempotencyKey(`send:${id}`) ?? s.outbox.byIdempotencyKey(id);
  if (!m) throw new DuegateError(ErrorCode.NotFound, `message ${id} is unknown`, { field: "/id" });
  return messageView(s, m, s.clock.now());
}
