// The dashboard's live activity: one line per message, its states in place (queued → sending →
// submitted → delivered), with the debtor's name; one line per received SMS and keyword.
import { api } from "./lib.js";
import { maskedNumber } from "./format.js";

/** At most this many lines: the newest first. */
export const ACTIVITY_LINES = 20;

/** The line list after a message.state event: the message's line updated where it stands, or a new line on top. */
export function withMessageState(lines, e) {
  const key = `message:${e.id}`;
  const existing = lines.find((l) => l.key === key);
  if (existing) {
    const states = existing.states.at(-1) === e.state ? existing.states : [...existing.states, e.state];
    return lines.map((l) => (l === existing ? { ...l, at: e.at, states, reason: e.reason ?? l.reason } : l));
  }
  const line = {
    key,
    kind: "message",
    at: e.at,
    to: maskedNumber(e.to),
    accountId: e.origin?.accountId,
    states: [e.state],
    reason: e.reason,
  };
  return [line, ...lines].slice(0, ACTIVITY_LINES);
}

let counter = 0;

/** Other events get a line each. */
export function withLine(lines, line) {
  return [{ key: `${line.kind}:${++counter}`, ...line }, ...lines].slice(0, ACTIVITY_LINES);
}

const names = new Map();

/** The debtor's name for an account id, asked once per account (GET /api/v1/accounts/:id). */
export function debtorName(accountId) {
  if (!accountId) return Promise.resolve(undefined);
  if (!names.has(accountId))
    names.set(
      accountId,
      api(`/api/v1/accounts/${encodeURIComponent(accountId)}`).then(
        (a) => a?.account?.name,
        () => undefined,
      ),
    );
  return names.get(accountId);
}
