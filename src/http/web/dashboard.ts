/**
 * The dashboard's figures: every modem (the same list as GET /api/v1/modems, src/service/modems.ts),
 * queue, today's counts, messages per day and delivery rate (from the outbox), aging and the
 * on-time rate of the last 30 days (the reports, src/dunning/reports). Computed on request
 * (GET /api/v1/dashboard): the panel asks once and then follows the live feed.
 */
import type { OutboxMessage } from "../../outbox/types.js";
import type { MessageState } from "../../core/message-states.js";
import type { WebServices } from "./ports.js";
import { lastDays, localDate, startOfDate } from "../../core/calendar.js";
import { setting } from "./settings-view.js";

export interface DayFigures {
  day: string;
  sent: number;
  delivered: number;
  failed: number;
  received: number;
}

/** Bound on what one dashboard request reads, so that a busy outbox cannot stall the Pi. */
const MAX_MESSAGES = 20_000;

const SENT_STATES = new Set<MessageState>(["submitted", "delivered", "failed", "expired"]);

export function perDay(
  messages: readonly OutboxMessage[],
  received: readonly { receivedAt: number }[],
  days: string[],
  zone: string,
): DayFigures[] {
  const byDay = new Map(days.map((d) => [d, { day: d, sent: 0, delivered: 0, failed: 0, received: 0 }]));
  for (const m of messages) {
    const f = byDay.get(localDate(m.createdAt, zone));
    if (!f) continue;
    if (SENT_STATES.has(m.state) && m.parts.some((p) => p.reference !== undefined)) f.sent++;
    if (m.state === "delivered") f.delivered++;
    if (m.state === "failed" || m.state === "expired") f.failed++;
  }
  for (const r of received) {
    const f = byDay.get(localDate(r.receivedAt, zone));
    if (f) f.received++;
  }
  return [...byDay.values()];
}

export function dashboard(s: WebServices, days = 14): Record<string, unknown> {
  const zone = setting(s.config, "gateway.defaultTimeZone", "UTC");
  const now = s.clock.now();
  const dayList = lastDays(now, days, zone);
  const since = startOfDate(dayList[0]!, zone);
  const messages = s.outbox?.list({ since, limit: MAX_MESSAGES }).items ?? [];
  const received = s.inbound?.list({ since, limit: MAX_MESSAGES }).items ?? [];
  const figures = perDay(messages, received, dayList, zone);
  const today = figures[figures.length - 1];
  return {
    modems: s.modems?.list() ?? [],
    stats: s.outbox?.stats() ?? null,
    receivedToday: today?.received ?? 0,
    days: figures,
    aging: s.reports?.aging() ?? null,
    onTime: s.reports?.onTime() ?? null,
    costPerPart: setting(s.config, "outbox.costPerPart", 0),
    currency: setting(s.config, "gateway.defaultCurrency", "EUR"),
    zone,
    at: now,
  };
}
