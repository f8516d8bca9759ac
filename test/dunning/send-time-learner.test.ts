/** The send-time learner on its own: the histogram, the score, the choice and its explanation; the memory fed from a real bus. */
import { describe, it, expect } from "vitest";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import type { DomainEvents } from "../../src/api/events.js";
import { memoryDocuments } from "../../src/ledger/ports.js";
import {
  bestHour,
  choose,
  debtorActed,
  emptyRecord,
  reminderSent,
  score,
  settledReminders,
  DEFAULT_LEARNER as S,
} from "../../src/dunning/send-time/learner.js";
import {
  SendTimeMemory,
  emptySendTimeMemory,
  windowHours,
  type SendTimeDocument,
} from "../../src/dunning/send-time/memory.js";
import { groupOf, holdoutPosition } from "../../src/dunning/send-time/holdout.js";
import { sendTimeReport } from "../../src/dunning/send-time/report.js";
import { checkPolicy } from "../../src/dunning/policy-schema.js";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";
import type { StepRecord } from "../../src/dunning/step-memory.js";
import { dayNumber } from "../../src/core/calendar.js";
import { berlin } from "./fakes.js";

const WINDOW = { first: 8, last: 20 };
const H = 3_600_000;
const DAY = 24 * H;

describe("the send-time learner", () => {
  it("chooses the step's hour when there is no evidence, kept inside the window", () => {
    const r = emptyRecord();
    expect(bestHour(r, WINDOW, 10, S)).toBe(10);
    expect(bestHour(r, WINDOW, 6, S)).toBe(8);
    expect(bestHour(r, WINDOW, 23, S)).toBe(20);
    expect(score(r, 14, S)).toBe(0.5);
  });

  it("tries the neighbouring hours after reminders at the step's hour went unanswered", () => {
    const r = emptyRecord();
    for (let i = 0; i < 3; i++) reminderSent(r, i * 5 * DAY, 10, S);
    expect(score(r, 10, S)).toBeLessThan(0.5);
    expect(bestHour(r, WINDOW, 10, S)).toBe(9);
    reminderSent(r, 20 * DAY, 9, S);
    expect(bestHour(r, WINDOW, 10, S)).toBe(11);
  });

  it("credits a payment within the response time to the hour the reminder went at", () => {
    const r = emptyRecord();
    reminderSent(r, 0, 18, S);
    debtorActed(r, "payment", 2 * DAY, 19, 2, S);
    expect(r.worked[18]).toBe(1);
    expect(r.acted[19]).toBe(1);
    expect(bestHour(r, WINDOW, 10, S)).toBe(18);
    // A payment after the response time credits no reminder.
    reminderSent(r, 10 * DAY, 12, S);
    debtorActed(r, "payment", 10 * DAY + 4 * DAY, 19, 14, S);
    expect(r.worked[12]).toBe(0);
    expect(settledReminders(r, 20 * DAY, S)).toBe(2);
  });

  it("counts a message reported twice as one reminder", () => {
    const r = emptyRecord();
    reminderSent(r, 0, 10, S, "m1");
    reminderSent(r, H, 10, S, "m1");
    reminderSent(r, H, 10, S, "m2");
    expect(r.sent[10]).toBe(2);
  });

  it("counts a reminder as settled only once its response time is over", () => {
    const r = emptyRecord();
    reminderSent(r, 0, 10, S);
    expect(settledReminders(r, 1 * DAY, S)).toBe(0);
    expect(settledReminders(r, 3 * DAY + 1, S)).toBe(1);
  });

  it("explains the choice in words a person can check", () => {
    const r = emptyRecord();
    for (let i = 0; i < 5; i++) {
      reminderSent(r, i * 7 * DAY, 18, S);
      if (i < 4) debtorActed(r, "payment", i * 7 * DAY + 2 * DAY, 18, i * 7 + 2, S);
    }
    reminderSent(r, 40 * DAY, 10, S);
    const c = choose(r, 50 * DAY, WINDOW, 10, S, "learning");
    expect(c.learned).toBe(true);
    expect(c.bestHour).toBe(18);
    expect(c.reason).toContain("paid or replied within 3 days after 4 of 5 reminders sent 18:00-19:00");
    expect(c.reason).toContain("1 reminder at other hours went unanswered");
    expect(c.hours.find((h) => h.hour === 18)).toMatchObject({ sent: 5, worked: 4, acted: 4 });
    expect(choose(r, 50 * DAY, WINDOW, 10, S, "holdout").learned).toBe(false);
    expect(choose(emptyRecord(), 0, WINDOW, 10, S, "learning").reason).toMatch(/not enough history yet: 0 of 3/);
  });

  it("never leaves the send window, however often the debtor acts at night", () => {
    const r = emptyRecord();
    for (let i = 0; i < 20; i++) {
      reminderSent(r, i * DAY, 10, S);
      debtorActed(r, "reply", i * DAY + 17 * H, 3, i, S);
    }
    const c = choose(r, 30 * DAY, WINDOW, 10, S, "learning");
    expect(c.bestHour).toBeGreaterThanOrEqual(8);
    expect(c.bestHour).toBeLessThanOrEqual(20);
    expect(c.hours.map((h) => h.hour)).toEqual([8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
  });

  it("derives the window's hours from the outbox's send window", () => {
    expect(windowHours({ start: "08:00", end: "21:00" })).toEqual({ first: 8, last: 20 });
    expect(windowHours({ start: "08:30", end: "20:30" })).toEqual({ first: 9, last: 20 });
    expect(windowHours({ start: "22:00", end: "06:00" })).toEqual({ first: 0, last: 23 });
  });
});

describe("the holdout", () => {
  it("holds out about the configured share, the same accounts every time", () => {
    let held = 0;
    for (let i = 0; i < 10_000; i++) if (groupOf(`acct-${i}`, 10) === "holdout") held++;
    expect(held).toBeGreaterThan(900);
    expect(held).toBeLessThan(1100);
    expect(holdoutPosition("acct-42")).toBe(holdoutPosition("acct-42"));
    expect(groupOf("acct-42", 0)).toBe("learning");
    expect(groupOf("acct-42", 100)).toBe("holdout");
  });
});

describe("the send-time memory", () => {
  async function open(holdoutPercent = 0) {
    const clock = new ManualClock(berlin("2026-03-02", 9));
    const bus = new EventBus<DomainEvents>();
    const docs = memoryDocuments();
    const doc = await docs<SendTimeDocument>("dunning-send-times.json", emptySendTimeMemory());
    const memory = new SendTimeMemory(doc, {
      bus,
      clock,
      zoneOf: (id) => (id.startsWith("a") ? "Europe/Berlin" : undefined),
      settings: () => ({ ...S, holdoutPercent }),
      window: () => WINDOW,
    });
    memory.start();
    const sent = (accountId: string) =>
      bus.emit("message.state", {
        id: "m",
        idempotencyKey: "k",
        state: "submitted",
        to: "+49170",
        origin: { kind: "dunning", accountId },
        parts: 1,
        at: clock.now(),
      });
    return { clock, bus, doc, memory, sent };
  }

  it("learns from bus events as they arrive and uses the hour once there is enough history", async () => {
    const { clock, bus, doc, memory, sent } = await open();
    for (let i = 0; i < 3; i++) {
      // Sent at 19:00 local; paid the next morning at 07:xx (outside the window: it does not move the choice there).
      await clock.advance(10 * H);
      sent("a1");
      expect(memory.minuteFor("a1", 600)).toEqual({ minute: 600, learned: false });
      await clock.advance(12 * H);
      bus.emit("ledger.changed", { kind: "payment", id: `p${i}`, accountId: "a1", at: clock.now() });
      await clock.advance(2 * H);
    }
    expect(doc.data.accounts["a1"]!.worked[19]).toBe(3);
    expect(memory.minuteFor("a1", 630)).toEqual({ minute: 19 * 60 + 30, learned: true });
    expect(memory.choice("a1", 600).reason).toContain("after 3 of 3 reminders sent 19:00-20:00");
  });

  it("ignores payments that follow no reminder, STOP replies and accounts it cannot place", async () => {
    const { bus, doc } = await open();
    bus.emit("ledger.changed", { kind: "payment", id: "p", accountId: "a2", at: 0 });
    bus.emit("inbound.received", {
      id: "i",
      from: "+49170",
      text: "STOP",
      receivedAt: berlin("2026-03-02", 12),
      accountIds: ["a2"],
      incomplete: false,
      keyword: "stop",
    });
    bus.emit("inbound.received", {
      id: "i",
      from: "+49170",
      text: "hi",
      receivedAt: 0,
      accountIds: ["x-unknown"],
      incomplete: false,
    });
    expect(doc.data.accounts).toEqual({});
  });

  it("keeps the step's time for the holdout whatever the evidence", async () => {
    const { clock, bus, memory, sent } = await open(100);
    for (let i = 0; i < 4; i++) {
      await clock.advance(DAY);
      sent("a3");
      bus.emit("inbound.received", {
        id: `i${i}`,
        from: "+49170",
        text: "ok",
        receivedAt: clock.now(),
        accountIds: ["a3"],
        incomplete: false,
      });
    }
    await clock.advance(5 * DAY);
    expect(memory.minuteFor("a3", 600)).toEqual({ minute: 600, learned: false });
    expect(memory.choice("a3", 600)).toMatchObject({ group: "holdout", learned: false });
  });

  it("forgets an erased account", async () => {
    const { bus, doc, sent } = await open();
    sent("a4");
    expect(doc.data.accounts["a4"]).toBeDefined();
    bus.emit("ledger.changed", { kind: "erasure", id: "x", accountId: "a4", at: 0, stop: "erased" });
    expect(doc.data.accounts["a4"]).toBeUndefined();
  });
});

describe("the policy switch", () => {
  it("accepts sendTime fixed or learned per sequence and names a wrong value and where it is", () => {
    const p = structuredClone(DEFAULT_POLICY) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a policy edited as plain JSON
    p.sequences.standard.sendTime = "learned";
    expect(checkPolicy(p).sequences["standard"]!.sendTime).toBe("learned");
    p.sequences.standard.sendTime = "sometimes";
    try {
      checkPolicy(p);
      expect.unreachable();
    } catch (e) {
      expect(isDuegateError(e, ErrorCode.PolicyInvalid)).toBe(true);
      expect((e as Error).message).toContain("/sequences/standard/sendTime");
    }
  });
});

describe("the group report", () => {
  it("counts debtors, reminders paid within the days, replies and opt-outs per group", () => {
    const rec = (key: string, accountId: string, date: string, invoiceId: string, learnedTime = false): StepRecord => ({
      key,
      accountId,
      invoiceIds: [invoiceId],
      stepId: "due",
      date,
      at: 0,
      policyVersion: 1,
      amountDue: 100,
      currency: "EUR",
      state: "enqueued",
      covers: [],
      ...(learnedTime ? { learnedTime } : {}),
    });
    const paidOn: Record<string, string | undefined> = { i1: "2026-03-05", i2: "2026-03-30", i3: undefined };
    const learnerRecords: Record<string, ReturnType<typeof emptyRecord>> = { L: emptyRecord(), H: emptyRecord() };
    learnerRecords["H"]!.optOutDay = dayNumber("2026-03-15");
    learnerRecords["L"]!.replyDays = [dayNumber("2026-03-03"), dayNumber("2026-04-02")];
    const report = sendTimeReport({
      records: [
        rec("1", "L", "2026-03-02", "i1", true),
        rec("2", "L", "2026-03-10", "i2", true),
        rec("3", "H", "2026-03-03", "i3"),
        rec("4", "F", "2026-03-03", "i3"),
      ],
      ledger: {
        invoice: (id: string) =>
          paidOn[id] ? ({ status: "paid", paidOn: paidOn[id] } as never) : ({ status: "open" } as never),
      },
      learners: { group: (id) => (id === "H" ? "holdout" : "learning"), record: (id) => learnerRecords[id] },
      inLearnedSequence: (id) => id !== "F",
      period: { from: "2026-03-01", to: "2026-03-31" },
      withinDays: 7,
    });
    const learning = report.rows.find((r) => r.group === "learning")!;
    const holdout = report.rows.find((r) => r.group === "holdout")!;
    expect(learning).toMatchObject({
      debtors: 1,
      reminders: 2,
      paidWithin: 1,
      paidShare: 0.5,
      atLearnedHour: 2,
      optOuts: 0,
      replies: 1,
    });
    expect(holdout).toMatchObject({
      debtors: 1,
      reminders: 1,
      paidWithin: 0,
      paidShare: 0,
      atLearnedHour: 0,
      optOuts: 1,
      optOutShare: 1,
    });
  });
});
