/**
 * Sixty days of 2,000 debtors, each with a hidden preferred hour: a reminder that arrives
 * within an hour of it is paid (or answered) with high probability, any other only rarely;
 * the debtor acts at their own hour. The real engine and ledger run on a manual clock with an
 * cron at the top of every hour of the send window; a capturing outbox "sends" at once and reports the message as submitted on the
 * bus, as the real outbox does, so the learner sees the true send hour. Afterwards the learned
 * hour is the hidden one (within an hour) for most debtors with enough history, and the report
 * shows the learning group paying more often than the holdout, which kept the step's time.
 */
import { describe, it, expect } from "vitest";
import type { EventBus } from "../../src/core/bus.js";
import type { DomainEvents } from "../../src/api/events.js";
import { ManualClock } from "../../src/core/clock.js";
import type {
  EnqueueOutcome,
  EnqueueRequest,
  EnqueueResult,
  MessageState,
  OutboxMessage,
  OutboxPort,
} from "../../src/outbox/types.js";
import { addDays, localNow } from "../../src/core/calendar.js";
import type { AccountInput, InvoiceInput } from "../../src/ledger/types.js";
import { seededRandom } from "../support/random.js";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import type { PolicyDocument } from "../../src/dunning/policy-schema.js";
import { makeWorld, berlin, type FakeOutbox } from "./fakes.js";

const DAY0 = "2026-03-02";
const DAYS = 60;
/** SIM_DEBTORS=200 for a quick look while changing the learner; the assertions hold at 2,000. */
const DEBTORS = Number(process.env.SIM_DEBTORS ?? 2_000);
const HOLDOUT_PERCENT = 20;
/** The default send window 08:00-21:00: the hours a reminder may start in. */
const FIRST_HOUR = 8;
const LAST_HOUR = 20;
/** Chance to act on a reminder within an hour of the preferred one, and on any other. */
const P_NEAR = 0.85;
const P_FAR = 0.08;
/** Share of acts that are a reply (inbound SMS) rather than a payment. */
const P_REPLY = 0.25;

interface Sent {
  at: number;
  accountId: string;
  invoiceIds: string[];
  hour: number;
}

/** Takes every reminder at once and says so on the bus (state submitted), indexed by key. */
class CapturingOutbox implements OutboxPort {
  readonly sent: Sent[] = [];
  private readonly byKey = new Map<string, OutboxMessage>();
  bus: EventBus<DomainEvents> | undefined;
  onSent: ((s: Sent) => void) | undefined;
  constructor(private readonly clock: ManualClock) {}

  async enqueue(req: EnqueueRequest): Promise<EnqueueResult> {
    const existing = this.byKey.get(req.idempotencyKey);
    if (existing) return { status: "duplicate", message: existing };
    const now = this.clock.now();
    const message: OutboxMessage = {
      id: `m${this.byKey.size + 1}`,
      idempotencyKey: req.idempotencyKey,
      to: req.to as OutboxMessage["to"],
      text: req.text,
      encoding: "gsm7",
      partCount: 1,
      priority: req.priority,
      origin: req.origin,
      timeZones: req.timeZones ?? [],
      limitClass: req.limitClass ?? "reminder",
      state: "submitted",
      attempts: [],
      parts: [],
      createdAt: now,
      history: [{ state: "submitted", at: now }],
    };
    this.byKey.set(req.idempotencyKey, message);
    const o = req.origin.kind === "dunning" ? req.origin : undefined;
    const s: Sent = {
      at: now,
      accountId: o?.accountId ?? "",
      invoiceIds: o?.invoiceIds ?? [],
      hour: Math.floor(localNow(now, "Europe/Berlin").minute / 60),
    };
    this.sent.push(s);
    this.bus?.emit("message.state", {
      id: message.id,
      idempotencyKey: message.idempotencyKey,
      state: "submitted",
      to: req.to,
      origin: { kind: "dunning", accountId: s.accountId, invoiceIds: s.invoiceIds, step: o?.step ?? "" },
      parts: 1,
      at: now,
    });
    this.onSent?.(s);
    return { status: "queued", message };
  }

  async enqueueMany(reqs: readonly EnqueueRequest[]): Promise<EnqueueOutcome[]> {
    const out: EnqueueOutcome[] = [];
    for (const r of reqs) out.push(await this.enqueue(r));
    return out;
  }

  async cancel(): Promise<{ cancelled: string[]; notCancellable: Array<{ id: string; state: MessageState }> }> {
    // Everything was sent at once: nothing is left to cancel.
    return { cancelled: [], notCancellable: [] };
  }

  get(id: string): OutboxMessage | undefined {
    for (const m of this.byKey.values()) if (m.id === id) return m;
    return undefined;
  }

  byIdempotencyKey(key: string): OutboxMessage | undefined {
    return this.byKey.get(key);
  }
}

function learnedPolicy(): PolicyDocument {
  const p = structuredClone(DEFAULT_POLICY) as PolicyDocument;
  p.sequences[p.defaultSequence]!.sendTime = "learned";
  return p;
}

describe("learning each debtor's hour over 60 simulated days", () => {
  it("finds the hidden hour for most debtors and pays off against the holdout", async () => {
    const start = berlin(DAY0);
    const clock = new ManualClock(start);
    const outbox = new CapturingOutbox(clock);
    const w = await makeWorld({
      start,
      clock,
      // makeWorld types its outbox as the fake with a log; the engine uses only the OutboxPort side.
      outbox: outbox as unknown as FakeOutbox,
      policy: learnedPolicy(),
      // At the top of every hour of the send window, and (the default 2 s) after ledger changes.
      config: {
        evaluateCron: "0 0 8-20 * * *",
        sendTime: { minReminders: 3, responseDays: 3, holdoutPercent: HOLDOUT_PERCENT },
      },
    });
    outbox.bus = w.bus;

    const random = seededRandom(20261205);
    const hidden = new Map<string, number>();
    const accounts: AccountInput[] = [];
    const invoices: InvoiceInput[] = [];
    for (let n = 0; n < DEBTORS; n++) {
      const id = `d${n}`;
      hidden.set(id, FIRST_HOUR + Math.floor(random() * (LAST_HOUR - FIRST_HOUR + 1)));
      accounts.push({
        id,
        version: 1,
        name: `Debtor ${n}`,
        phones: [`+4917${String(10_000_000 + n)}`],
        locale: "en-GB",
        timeZone: "Europe/Berlin",
      });
      // A new invoice every six days (a weekly-ish service), the first due within the first week.
      const first = 5 + (n % 6);
      for (let k = 0; first + 6 * k < DAYS; k++)
        invoices.push({
          id: `${id}-i${k}`,
          version: 1,
          accountId: id,
          number: `R-${n}-${k}`,
          amount: 4_900,
          issueDate: DAY0,
          dueDate: addDays(DAY0, first + 6 * k),
        });
    }
    expect((await w.ledger.upsertAccounts(accounts)).applied).toHaveLength(DEBTORS);
    expect((await w.ledger.upsertInvoices(invoices)).refused).toHaveLength(0);

    // The debtor's answer to a reminder: at their own hour, the next time it comes.
    const actions = new Map<number, Array<() => Promise<unknown>>>();
    let payments = 0;
    outbox.onSent = (s) => {
      const h = hidden.get(s.accountId)!;
      if (random() >= (Math.abs(s.hour - h) <= 1 ? P_NEAR : P_FAR)) return;
      const hourStart = s.at - (s.at % 3_600_000);
      const at = hourStart + ((h - s.hour + 24) % 24 || 24) * 3_600_000;
      const reply = random() < P_REPLY;
      const act = async (): Promise<unknown> => {
        if (reply) {
          w.bus.emit("inbound.received", {
            id: `in-${s.accountId}-${at}`,
            from: "+49170",
            text: "Paid tonight, thanks",
            receivedAt: at,
            accountIds: [s.accountId],
            incomplete: false,
          });
          return undefined;
        }
        const open = s.invoiceIds
          .map((i) => w.ledger.invoice(i))
          .filter((i) => i?.status === "open" && i.amountDue > 0);
        if (!open.length) return undefined;
        payments++;
        return w.ledger.recordPayments(
          open.map((i) => ({
            id: `p-${i!.id}`,
            invoiceId: i!.id,
            amount: i!.amountDue,
            date: localNow(at, "Europe/Berlin").date,
          })),
        );
      };
      actions.set(at, [...(actions.get(at) ?? []), act]);
    };

    await w.engine.start();
    const end = berlin(addDays(DAY0, DAYS));
    for (let guard = 0; w.clock.now() < end && guard < DAYS * 24 + 2; guard++) {
      // The debtors act first in the hour, then the cron evaluates at its top.
      await w.clock.advance(3_600_000 - 1);
      for (const act of actions.get(w.clock.now() + 1) ?? []) await act();
      actions.delete(w.clock.now() + 1);
      await w.clock.advance(1);
    }
    await w.engine.stop();

    // The learner's hour against the hidden one, for learning debtors with enough history.
    let judged = 0;
    let matched = 0;
    for (const [id, h] of hidden) {
      const c = w.engine.sendTimeOf(id)!;
      if (c.group !== "learning" || !c.learned) continue;
      judged++;
      if (Math.abs(c.bestHour - h) <= 1) matched++;
    }
    const learningDebtors = [...hidden.keys()].filter((id) => w.engine.sendTimeOf(id)!.group === "learning").length;
    const report = w.engine.sendTimeReport({ from: DAY0, to: addDays(DAY0, DAYS - 1) });
    const learning = report.rows.find((r) => r.group === "learning")!;
    const holdout = report.rows.find((r) => r.group === "holdout")!;
    if (process.env.SIM_VERBOSE)
      console.log(
        JSON.stringify({
          judged,
          matched,
          share: matched / judged,
          learningDebtors,
          payments,
          reminders: outbox.sent.length,
          rows: report.rows,
        }),
      );

    expect(judged).toBeGreaterThan(0.9 * learningDebtors);
    expect(matched / judged).toBeGreaterThanOrEqual(0.8);
    // The holdout kept the step's time (10:00) for every reminder; the learning group moved.
    const holdoutIds = new Set([...hidden.keys()].filter((id) => w.engine.sendTimeOf(id)!.group === "holdout"));
    expect(holdoutIds.size).toBeGreaterThan(DEBTORS * (HOLDOUT_PERCENT / 100) * 0.8);
    expect(outbox.sent.filter((s) => holdoutIds.has(s.accountId)).every((s) => s.hour === 10)).toBe(true);
    expect(holdout.atLearnedHour).toBe(0);
    expect(learning.atLearnedHour).toBeGreaterThan(learning.reminders / 2);
    expect(learning.debtors + holdout.debtors).toBe(DEBTORS);
    // Paying after a reminder is far more common where the reminder came at the right hour.
    expect(learning.paidShare!).toBeGreaterThan(holdout.paidShare! + 0.15);
    expect(learning.repliesPerDebtor!).toBeGreaterThan(holdout.repliesPerDebtor!);
  }, 120_000);
});
