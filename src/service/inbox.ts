/**
 * Received SMS and staff replies, for the REST API and the panel: the inbox (with the
 * debtor's name and whether a person still has to act, when the desk runs) and a reply that
 * takes the message off the needs-a-person list once it is queued.
 */
import type { InboundRecord, InboxFilter, ReplyOutcome } from "../inbound/types.js";
import type { DeskInboxItem } from "../desk/desk.js";
import type { Handled } from "../desk/desk-book.js";

export interface InboxServices {
  readonly inbound: {
    list(filter: InboxFilter): { total: number; items: InboundRecord[] };
    reply(to: string, text: string, opts: { inboundId?: string; by?: string }): Promise<ReplyOutcome>;
  };
  readonly desk?: {
    inbox(filter: InboxFilter): { total: number; items: DeskInboxItem[] };
    handled(inboundId: string, by: string, how: Handled["how"]): Promise<Handled>;
  };
}

export function listInbox(
  s: InboxServices,
  filter: InboxFilter,
): { total: number; items: Array<InboundRecord | DeskInboxItem> } {
  return s.desk ? s.desk.inbox(filter) : s.inbound.list(filter);
}

export async function replyTo(
  s: InboxServices,
  req: { to: string; text: string; inboundId?: string },
  by: string,
): Promise<ReplyOutcome> {
  const outcome = await s.inbound.reply(req.to, req.text, {
    ...(req.inboundId ? { inboundId: req.inboundId } : {}),
    by,
  });
  // Answered by a person: the message leaves "needs a person" (a refused reply leaves it there).
  if (req.inboundId && s.desk && (outcome.status === "queued" || outcome.status === "duplicate"))
    await s.desk.handled(req.inboundId, by, "replied");
  return outcome;
}
