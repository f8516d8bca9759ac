/**
 * The states of an outbound message, written once: the outbox's types, the events, the metrics,
 * the reports, the HTTP schemas and the web panel (served as /contract.js) all take this list.
 *
 * queued -> sending -> submitted -> delivered, or failed, expired, cancelled on the way.
 */
export const MESSAGE_STATES = [
  "queued",
  "sending",
  "submitted",
  "delivered",
  "failed",
  "expired",
  "cancelled",
] as const;

export type MessageState = (typeof MESSAGE_STATES)[number];

/** States a message can still leave: it holds a place in the queue and may be cancelled or retried. */
export const ACTIVE_MESSAGE_STATES = ["queued", "sending", "submitted"] as const satisfies readonly MessageState[];

/** States a message never leaves. */
export const FINAL_MESSAGE_STATES = [
  "delivered",
  "failed",
  "expired",
  "cancelled",
] as const satisfies readonly MessageState[];

export function isMessageState(s: unknown): s is MessageState {
  return typeof s === "string" && (MESSAGE_STATES as readonly string[]).includes(s);
}
