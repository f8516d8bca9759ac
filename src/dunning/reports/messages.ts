/**
 * From the outbox's message facts (through the MessageFacts port in src/ledger/ports.ts):
 * SMS parts and cost per day or month, and the evidence pack of one account (every message
 * with its text, times, parts and delivery reports, and every reply), as JSON and CSV.
 * Some laws put the burden of proving that a reminder arrived on the creditor (DE-2).
 */
import { describeSource, type SuppressionRecord } from "../../consent/types.js";
import { stringify } from "csv-stringify/sync";
import type { MessageFacts, ReplyFacts, SentMessageFact, ReplyFact } from "../../ledger/ports.js";
import type { ConsentChange } from "../../ledger/types.js";
import { localNow } from "../../core/calendar.js";
import type { MessageState } from "../../core/message-states.js";

export interface UsageRow {
  period: string;
  messages: number;
  /** Of messages: SMS and e-mails (an e-mail has no parts and costs nothing here). */
  sms: number;
  emails: number;
  parts: number;
  delivered: number;
  failed: number;
  cost: number;
}

const COUNTED = new Set<MessageState>(["submitted", "delivered", "failed", "sending"]);

export async function partsAndCost(
  facts: MessageFacts,
  q: { from: number; to: number; by: "day" | "month"; timeZone: string; costPerPart: number },
): Promise<UsageRow[]> {
  const rows = new Map<string, UsageRow>();
  for await (const m of facts.messages({ from: q.from, to: q.to })) {
    // Parts count when they went to the network; queued, expired or cancelled ones cost nothing.
    if (!COUNTED.has(m.state)) continue;
    const date = localNow(m.submittedAt ?? m.createdAt, q.timeZone).date;
    const period = q.by === "day" ? date : date.slice(0, 7);
    let row = rows.get(period);
    if (!row)
      rows.set(period, (row = { period, messages: 0, sms: 0, emails: 0, parts: 0, delivered: 0, failed: 0, cost: 0 }));
    row.messages++;
    if (m.channel === "email") {
      row.emails++;
      if (m.state === "failed") row.failed++;
      continue;
    }
    row.sms++;
    row.parts += m.parts;
    if (m.state === "delivered") row.delivered++;
    if (m.state === "failed") row.failed++;
  }
  for (const row of rows.values()) row.cost = Math.round(row.parts * q.costPerPart * 10_000) / 10_000;
  return [...rows.values()].sort((a, b) => (a.period < b.period ? -1 : 1));
}

export interface EvidencePack {
  accountId: string;
  generatedAt: string;
  messages: SentMessageFact[];
  replies: ReplyFact[];
  /** The consent records (suppression list) of the account's numbers: who stopped or resumed texts, when, why, through what. */
  consent: SuppressionRecord[];
  /** Every opt-out and opt-in of the account itself, per channel (STOP by SMS, the e-mail unsubscribe link, the panel). */
  consentLog: ConsentChange[];
}

export async function evidence(
  accountId: string,
  facts: MessageFacts,
  replies: ReplyFacts,
  now: number,
  consent: SuppressionRecord[] = [],
  consentLog: readonly ConsentChange[] = [],
): Promise<EvidencePack> {
  const messages: SentMessageFact[] = [];
  for await (const m of facts.messages({ accountId })) messages.push(m);
  const rs: ReplyFact[] = [];
  for await (const r of replies.replies({ accountId })) rs.push(r);
  messages.sort((a, b) => a.createdAt - b.createdAt);
  rs.sort((a, b) => a.receivedAt - b.receivedAt);
  return {
    accountId,
    generatedAt: new Date(now).toISOString(),
    messages,
    replies: rs,
    consent,
    consentLog: [...consentLog],
  };
}

const iso = (ms: number | undefined): string => (ms === undefined ? "" : new Date(ms).toISOString());

/**
 * A free text (a debtor's reply, a failure reason) starting with = + - @ or a tab or carriage
 * return is prefixed with ' so that a spreadsheet shows it instead of running it as a formula
 * (CSV injection). The JSON export keeps every text exactly as sent or received.
 */
export const inertCell = (text: string): string => (/^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** One row per message and per reply, in time order; delivery reports summarised per part; texts made inert (inertCell). */
export function evidenceCsv(pack: EvidencePack): string {
  const rows: Array<Record<string, string | number>> = [];
  for (const m of pack.messages)
    rows.push({
      kind: "message",
      channel: m.channel ?? "sms",
      at: iso(m.createdAt),
      id: m.id,
      number: m.to,
      step: m.step ?? "",
      invoices: (m.invoiceIds ?? []).join(" "),
      state: m.state,
      parts: m.parts,
      encoding: m.encoding,
      submitted_at: iso(m.submittedAt),
      delivered_at: iso(m.deliveredAt),
      reports: (m.reports ?? [])
        .map((r) => `${r.index}:${r.reference ?? "?"}:${r.status ?? "pending"}${r.at ? "@" + iso(r.at) : ""}`)
        .join(" "),
      reason: inertCell(m.failureReason ?? ""),
      text: inertCell(m.subject !== undefined ? `${m.subject}\n\n${m.text}` : m.text),
    });
  for (const c of pack.consent ?? [])
    for (const ch of c.changes)
      rows.push({
        kind: "consent",
        channel: "sms",
        at: iso(ch.at),
        id: "",
        number: c.number,
        step: "",
        invoices: "",
        state: ch.action === "added" ? "suppressed" : "lifted",
        parts: "",
        encoding: "",
        submitted_at: "",
        delivered_at: "",
        reports: "",
        reason: inertCell([describeSource(ch.source), ch.reason].filter(Boolean).join(": ")),
        text: "",
      });
  for (const c of pack.consentLog ?? [])
    rows.push({
      kind: c.optedOut ? "opt-out" : "opt-in",
      channel: c.channel,
      at: iso(c.at),
      id: "",
      number: "",
      step: "",
      invoices: "",
      state: c.source,
      parts: "",
      encoding: "",
      submitted_at: "",
      delivered_at: "",
      reports: "",
      reason: "",
      text: "",
    });
  for (const r of pack.replies)
    rows.push({
      kind: "reply",
      channel: "sms",
      at: iso(r.receivedAt),
      id: r.id,
      number: r.from,
      step: "",
      invoices: "",
      state: r.keyword ?? "",
      parts: "",
      encoding: "",
      submitted_at: "",
      delivered_at: "",
      reports: "",
      reason: "",
      text: inertCell(r.text),
    });
  rows.sort((a, b) => (String(a.at) < String(b.at) ? -1 : String(a.at) > String(b.at) ? 1 : 0));
  return stringify(rows, {
    header: true,
    columns: [
      "kind",
      "at",
      "id",
      "number",
      "step",
      "invoices",
      "state",
      "parts",
      "encoding",
      "submitted_at",
      "delivered_at",
      "reports",
      "reason",
      "text",
      "channel",
    ],
  });
}
