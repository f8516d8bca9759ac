import { describe, it, expect } from "vitest";
import type { AccountMarkEvent } from "../../src/api/events.js";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { makeWorld, berlin, account, invoice, type World } from "./fakes.js";

/** Moves the clock in hour steps (the cron is hourly) to a local time. */
async function until(w: World, at: number): Promise<void> {
  while (w.clock.now() < at) await w.clock.advance(Math.min(3_600_000, at - w.clock.now()));
}

async function seeded(over: Parameters<typeof makeWorld>[0] = { start: berlin("2026-03-01") }) {
  const w = await makeWorld(over);
  await w.ledger.upsertAccounts([account("a1")]);
  await w.ledger.upsertInvoices([invoice("i1", "a1", "2026-03-10")]);
  return w;
}

const steps = (w: World) => w.outbox.log.map((m) => `${m.date} ${m.step} ${m.invoiceIds.join("+")}`);

describe("dunning engine: timing", () => {
  it("enqueues each step on its day at its time, once", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-04-12"));
    expect(steps(w)).toEqual([
      "2026-03-05 upcoming i1",
      "2026-03-10 due i1",
      "2026-03-17 overdue-7 i1",
      "2026-03-24 overdue-14 i1",
      "2026-04-09 final-30 i1",
    ]);
    expect(new Date(w.outbox.log[0]!.at).toISOString()).toBe("2026-03-05T09:00:00.000Z"); // 10:00 in Berlin (CET)
    expect(new Date(w.outbox.log[4]!.at).toISOString()).toBe("2026-04-09T08:00:00.000Z"); // 10:00 in Berlin (CEST)
    const before = w.outbox.log.length;
    await w.engine.evaluate();
    await w.engine.evaluate();
    expect(w.outbox.log).toHaveLength(before);
    await w.engine.stop();
  });

  it("uses the reminder priority, the account's zone, an expiry and the primary number", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-05", 11));
    const m = [...w.outbox.messages.values()][0]!;
    expect(m).toMatchObject({
      idempotencyKey: "dun:i1:upcoming",
      priority: 2,
      timeZones: ["Europe/Berlin"],
      limitClass: "reminder",
      to: "+491701000001",
    });
    expect(m.expiresAt).toBe(m.createdAt + 36 * 3_600_000);
    expect(m.origin).toMatchObject({
      kind: "dunning",
      accountId: "a1",
      invoiceIds: ["i1"],
      step: "upcoming",
      policyVersion: 1,
    });
    await w.engine.stop();
  });

  it("sends a step missed while off if within the grace period, and skips and logs it beyond", async () => {
    const w = await seeded({ start: berlin("2026-03-01"), config: { graceDays: 2 } });
    await w.engine.start();
    await until(w, berlin("2026-03-10", 11));
    await w.engine.stop();
    // Off from the 10th to the 18th at 15:00: overdue-7 (17th) is one day late: sent on start.
    await w.clock.set(berlin("2026-03-18", 15));
    await w.engine.start();
    await w.clock.advance(1000);
    expect(steps(w).at(-1)).toBe("2026-03-18 overdue-7 i1");
    await w.engine.stop();
    // Off from the 18th to the 28th: overdue-14 (24th) is four days late: skipped, never sent later.
    await w.clock.set(berlin("2026-03-28", 15));
    await w.engine.start();
    await w.clock.advance(1000);
    expect(w.engine.lastEvaluation()).toMatchObject({ skippedLate: 1, enqueued: 0 });
    await until(w, berlin("2026-04-05"));
    expect(steps(w).at(-1)).toBe("2026-03-18 overdue-7 i1");
    expect(w.engine.lastEvaluation()).toMatchObject({ skippedLate: 0 });
    await w.engine.stop();
  });

  it("after a long outage sends only the latest due step, not the superseded ones", async () => {
    const w = await seeded({ start: berlin("2026-03-17", 12), config: { graceDays: 30 } });
    await w.engine.start();
    await w.clock.advance(1000);
    expect(steps(w)).toEqual(["2026-03-17 overdue-7 i1"]);
    await w.engine.stop();
  });

  it("schedules nothing until the clock is trusted, then evaluates at once", async () => {
    const w = await seeded({ start: berlin("2026-03-10", 12), trusted: false });
    await w.engine.start();
    await w.clock.advance(3 * 3_600_000);
    expect(w.outbox.log).toHaveLength(0);
    expect(w.trust.status()).toMatchObject({ trusted: false, source: "none" });
    (w.trust as unknown as { setTrusted(v: boolean): void }).setTrusted(true);
    await w.clock.advance(31_000);
    expect(w.trust.status()).toMatchObject({ trusted: true, source: "ntp" });
    expect(steps(w)).toEqual(["2026-03-10 due i1"]);
    await w.engine.stop();
  });
});

describe("dunning engine: conditions and segments", () => {
  it("skips the steps before the due date for direct debit, and honours noReminders", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    await w.ledger.upsertAccounts([account("a1"), account("a2", { noReminders: true })]);
    await w.ledger.upsertInvoices([
      invoice("dd", "a1", "2026-03-10", { directDebit: true }),
      invoice("quiet", "a1", "2026-03-10", { noReminders: true }),
      invoice("x", "a2", "2026-03-10"),
    ]);
    await w.engine.start();
    await until(w, berlin("2026-03-11"));
    expect(steps(w)).toEqual(["2026-03-10 due dd"]);
    await w.engine.stop();
  });

  it("gives a VIP gentle steps only and an exempt account none; the amount condition holds back small debts", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    await w.ledger.upsertAccounts([
      account("v1", { segment: "vip" }),
      account("e1", { segment: "exempt" }),
      account("s1"),
    ]);
    await w.ledger.upsertInvoices([
      invoice("vi", "v1", "2026-03-10"),
      invoice("ei", "e1", "2026-03-10"),
      invoice("small", "s1", "2026-03-10", { amount: 300 }),
    ]);
    await w.engine.start();
    await until(w, berlin("2026-04-20"));
    expect(steps(w)).toEqual([
      "2026-03-05 upcoming small",
      "2026-03-10 due small",
      "2026-03-13 gentle-3 vi",
      "2026-03-17 overdue-7 small",
      "2026-03-31 gentle-21 vi",
    ]);
    await w.engine.stop();
  });

  it("publishes account.mark with the final step", async () => {
    const w = await seeded({ start: berlin("2026-04-08") });
    await w.engine.start();
    await until(w, berlin("2026-04-09", 11));
    const marks = w.events.filter((e) => e.event === "account.mark").map((e) => e.payload as AccountMarkEvent);
    expect(marks).toEqual([
      expect.objectContaining({ accountId: "a1", mark: "disconnect", step: "final-30", invoiceIds: ["i1"] }),
    ]);
    await w.engine.stop();
  });
});

describe("dunning engine: consolidation", () => {
  it("sends one message per account and day for invoices reaching steps together", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    await w.ledger.upsertAccounts([account("a1")]);
    await w.ledger.upsertInvoices([
      invoice("i1", "a1", "2026-03-10"),
      invoice("i2", "a1", "2026-03-10", { amount: 4_100 }),
      invoice("i3", "a1", "2026-03-17"),
    ]);
    await w.engine.start();
    await until(w, berlin("2026-03-18"));
    expect(steps(w)).toEqual([
      "2026-03-05 upcoming i1+i2",
      "2026-03-10 due i1+i2",
      "2026-03-12 upcoming i3",
      "2026-03-17 overdue-7 i1+i2+i3",
    ]);
    const last = w.outbox.log.at(-1)!;
    expect(last.key).toMatch(/^dun:a1:2026-03-17:overdue-7:[0-9a-f]{16}$/);
    expect(last.text).toContain("3 invoices (RE-i1, RE-i2, RE-i3) totalling €299.00");
    await w.engine.stop();
  });

  it("sends one message per invoice when consolidation is off", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01"), config: { consolidate: false } });
    await w.ledger.upsertAccounts([account("a1")]);
    await w.ledger.upsertInvoices([invoice("i1", "a1", "2026-03-10"), invoice("i2", "a1", "2026-03-10")]);
    await w.engine.start();
    await until(w, berlin("2026-03-06"));
    expect(steps(w)).toEqual(["2026-03-05 upcoming i1", "2026-03-05 upcoming i2"]);
    await w.engine.stop();
  });
});

describe("dunning engine: stops and pauses", () => {
  it("a payment in full cancels the queued reminder at once", async () => {
    const w = await seeded({ start: berlin("2026-03-05", 9) });
    await w.engine.start();
    await until(w, berlin("2026-03-05", 10, 30));
    const m = [...w.outbox.messages.values()][0]!;
    expect(m.state).toBe("queued");
    await w.ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 12_900, date: "2026-03-05" }]);
    await w.clock.advance(10);
    expect(m.state).toBe("cancelled");
    await until(w, berlin("2026-04-30"));
    expect(w.outbox.log).toHaveLength(1);
    await w.engine.stop();
  });

  it("a paid invoice leaves a consolidated message; the rest is reminded again without it", async () => {
    const w = await makeWorld({ start: berlin("2026-03-09") });
    await w.ledger.upsertAccounts([account("a1")]);
    await w.ledger.upsertInvoices([
      invoice("i1", "a1", "2026-03-10"),
      invoice("i2", "a1", "2026-03-10", { amount: 4_100 }),
    ]);
    await w.engine.start();
    await until(w, berlin("2026-03-10", 10, 30));
    await w.ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 12_900, date: "2026-03-10" }]);
    await w.clock.advance(5000);
    expect(steps(w)).toEqual(["2026-03-10 due i1+i2", "2026-03-10 due i2"]);
    expect(w.outbox.log[1]!.text).toContain("€41.00");
    expect([...w.outbox.messages.values()].map((m) => m.state)).toEqual(["cancelled", "queued"]);
    await w.engine.stop();
  });

  it("a partial payment shows the new amount in the next message", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-12"));
    await w.ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 2_900, date: "2026-03-12" }]);
    await until(w, berlin("2026-03-18"));
    expect(w.outbox.log[1]!.text).toContain("€129.00");
    expect(w.outbox.log[2]!.text).toContain("€100.00");
    await w.engine.stop();
  });

  it("a dispute pauses the invoice until staff release it", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-11"));
    await w.ledger.disputeInvoice("i1", "a1", "wrong amount");
    await until(w, berlin("2026-03-30"));
    expect(steps(w)).toEqual(["2026-03-05 upcoming i1", "2026-03-10 due i1"]);
    await w.ledger.releaseDispute("i1");
    await until(w, berlin("2026-03-31", 11));
    expect(steps(w).at(-1)).toBe("2026-03-30 overdue-14 i1");
    await w.engine.stop();
  });

  it("a promise pauses the account until the date plus grace, then the sequence resumes", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-12", 12));
    await w.ledger.pauseAccount("a1", "2026-03-20", "promise to pay by SMS in_1");
    await until(w, berlin("2026-03-23", 9));
    expect(steps(w)).toEqual(["2026-03-05 upcoming i1", "2026-03-10 due i1"]);
    await until(w, berlin("2026-03-24", 11));
    // Paused through the 22nd (20th + 2 days grace). On the 23rd the latest due step is overdue-7
    // (17th): it goes at its time; overdue-14 follows on its own day.
    expect(steps(w)).toEqual([
      "2026-03-05 upcoming i1",
      "2026-03-10 due i1",
      "2026-03-23 overdue-7 i1",
      "2026-03-24 overdue-14 i1",
    ]);
    await w.engine.stop();
  });

  it("a PAID claim pauses until its date without the promise grace", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-15", 12));
    await w.ledger.pauseAccount("a1", "2026-03-20", "paid claim by SMS in_2");
    await until(w, berlin("2026-03-22"));
    expect(steps(w)).toEqual(["2026-03-05 upcoming i1", "2026-03-10 due i1", "2026-03-21 overdue-7 i1"]);
    await w.engine.stop();
  });

  it("an opt-out stops everything and cancels what is queued", async () => {
    const w = await seeded({ start: berlin("2026-03-10", 9) });
    await w.engine.start();
    await until(w, berlin("2026-03-10", 10, 30));
    await w.ledger.setOptOut({ number: "+491701000001" }, true, "sms");
    await w.clock.advance(10);
    expect([...w.outbox.messages.values()][0]!.state).toBe("cancelled");
    await until(w, berlin("2026-04-30"));
    expect(w.outbox.log).toHaveLength(1);
    await w.engine.stop();
  });
});

describe("dunning engine: idempotency across policy changes and restarts", () => {
  it("a changed policy never resends a step already sent", async () => {
    const w = await seeded();
    await w.engine.start();
    await until(w, berlin("2026-03-11"));
    const policy = structuredClone(DEFAULT_POLICY);
    const seq = policy.sequences.standard!;
    // Rename and move steps: "due" becomes "due-day" one day later, a new step appears before the last one sent.
    seq.steps = [
      { id: "due-day", offsetDays: 1, time: "10:00", template: "due-today" },
      { id: "early", offsetDays: -1, time: "10:00", template: "upcoming" },
      ...seq.steps.filter((s) => s.offsetDays > 0),
    ];
    const v = await w.engine.setPolicy(policy, "test");
    expect(v.version).toBe(2);
    await until(w, berlin("2026-03-18"));
    expect(steps(w)).toEqual([
      "2026-03-05 upcoming i1",
      "2026-03-10 due i1",
      "2026-03-11 due-day i1",
      "2026-03-17 overdue-7 i1",
    ]);
    expect(w.outbox.log.at(-1)!.key).toBe("dun:i1:overdue-7");
    // Renaming the step just sent (and moving it a day earlier) does not send it again.
    const renamed = structuredClone(policy);
    renamed.sequences.standard!.steps = renamed.sequences.standard!.steps.map((s) =>
      s.id === "overdue-7" ? { ...s, id: "overdue-week", offsetDays: 6 } : s,
    );
    expect((await w.engine.setPolicy(renamed, "test")).version).toBe(3);
    await until(w, berlin("2026-03-23"));
    expect(w.outbox.log).toHaveLength(4);
    await w.engine.stop();
  });

  it("settles a reminder recorded but not enqueued before a crash, without a duplicate", async () => {
    const start = berlin("2026-03-05", 9);
    const w1 = await seeded({ start });
    w1.outbox.failNext = new Error("disk full");
    await w1.engine.start();
    await until(w1, berlin("2026-03-05", 10, 5));
    expect(w1.outbox.log).toHaveLength(0);
    await w1.engine.stop();
    // Same documents and outbox: the failed one is planned again at the next evaluation.
    const w2 = await makeWorld({ start, clock: w1.clock, docs: w1.docs, outbox: w1.outbox });
    await w2.engine.start();
    await w2.clock.advance(1000);
    await w2.engine.evaluate();
    expect(w2.outbox.log.map((m) => m.key)).toEqual(["dun:i1:upcoming"]);
    await w2.engine.stop();
  });

  it("a pending record found at start is settled by the outbox's key", async () => {
    const w1 = await seeded({ start: berlin("2026-03-05", 11) });
    const outbox = w1.outbox;
    await w1.engine.start();
    await w1.clock.advance(1000);
    expect(outbox.log).toHaveLength(1);
    await w1.engine.stop();
    // Simulate the crash window: the record still says pending, the outbox has the message.
    const doc = w1.docs.docs.get("dunning-steps.json") as { data: { records: Record<string, { state: string }> } };
    Object.values(doc.data.records)[0]!.state = "pending";
    const w2 = await makeWorld({ start: 0, clock: w1.clock, docs: w1.docs, outbox });
    await w2.engine.start();
    await w2.clock.advance(2 * 86_400_000 - 1000);
    expect(outbox.log.map((m) => m.key)).toEqual(["dun:i1:upcoming"]);
    expect(w2.engine.stepRecords()[0]!.state).toBe("enqueued");
    await w2.engine.stop();
  });
});

describe("forecast", () => {
  it("shows the same reminders on the same days as the engine then sends", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01", 0, 30) });
    await w.ledger.upsertAccounts([
      account("a1"),
      account("a2", { segment: "vip" }),
      account("a3", { segment: "strict", locale: "de-DE" }),
    ]);
    await w.ledger.upsertInvoices([
      invoice("i1", "a1", "2026-03-10"),
      invoice("i2", "a1", "2026-03-17"),
      invoice("i3", "a2", "2026-03-05"),
      invoice("i4", "a3", "2026-03-08"),
      invoice("i5", "a3", "2026-03-20", { directDebit: true }),
    ]);
    const planned = w.engine.forecast(30, { render: true });
    await w.engine.start();
    await until(w, berlin("2026-03-31"));
    expect(planned.map((p) => `${p.date} ${p.step} ${p.invoiceIds.join("+")}`)).toEqual(
      [...w.outbox.log]
        .sort((a, b) => (a.date + a.accountId < b.date + b.accountId ? -1 : 1))
        .map((m) => `${m.date} ${m.step} ${m.invoiceIds.join("+")}`),
    );
    expect(planned.length).toBeGreaterThan(10);
    expect(planned[0]).toMatchObject({ parts: expect.any(Number), cost: expect.any(Number) });
    expect(planned.map((p) => p.text)).toEqual(
      [...w.outbox.log].sort((a, b) => (a.date + a.accountId < b.date + b.accountId ? -1 : 1)).map((m) => m.text),
    );
    await w.engine.stop();
  });
});

describe("forecast pages", () => {
  it("cuts the calendar into pages that add up to the whole, within from/to, texts only for the page", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01", 0, 30) });
    await w.ledger.upsertAccounts([
      account("a1"),
      account("a2", { segment: "vip" }),
      account("a3", { segment: "strict", locale: "de-DE" }),
      account("a4", { segment: "exempt" }),
    ]);
    await w.ledger.upsertInvoices([
      invoice("i1", "a1", "2026-03-10"),
      invoice("i2", "a1", "2026-03-17"),
      invoice("i3", "a2", "2026-03-05"),
      invoice("i4", "a3", "2026-03-08"),
      invoice("i5", "a3", "2026-03-20", { currency: "CHF" }),
      invoice("i6", "a4", "2026-03-09"),
    ]);
    const all = w.engine.forecast(30);
    expect(all.length).toBeGreaterThan(8);
    expect(all.some((r) => r.accountId === "a4")).toBe(false);
    const paged = [];
    for (let offset = 0; offset < all.length; offset += 3) {
      const page = w.engine.forecastPage(30, { offset, limit: 3 });
      expect(page.total).toBe(all.length);
      paged.push(...page.items);
    }
    expect(paged).toEqual(all);
    const window = all.filter((r) => r.date >= "2026-03-08" && r.date <= "2026-03-17");
    const page = w.engine.forecastPage(30, { from: "2026-03-08", to: "2026-03-17", offset: 1, limit: 2, render: true });
    expect(page.total).toBe(window.length);
    expect(page.items.map(({ text: _t, parts: _p, cost: _c, ...r }) => r)).toEqual(window.slice(1, 3));
    const rendered = w.engine.forecast(30, { render: true });
    expect(page.items).toEqual(rendered.filter((r) => r.date >= "2026-03-08" && r.date <= "2026-03-17").slice(1, 3));
    expect(w.engine.forecastPage(30, { limit: 0 })).toEqual({ total: all.length, offset: 0, items: [] });
    expect(w.engine.forecast(30, { accountId: "a3" })).toEqual(all.filter((r) => r.accountId === "a3"));
    expect(() => w.engine.forecastPage(30, { to: "2026-02-30" })).toThrow(/to must be a date/);
  });
});

describe("enqueue failures", () => {
  it("a number the outbox refuses is not retried; a temporary failure is planned again", async () => {
    const w = await makeWorld({ start: berlin("2026-03-05", 10, 30) });
    await w.ledger.upsertAccounts([account("a1"), account("a2")]);
    await w.ledger.upsertInvoices([invoice("i1", "a1", "2026-03-10")]);
    w.outbox.failNext = new DuegateError(ErrorCode.InvalidNumber, "not a mobile number", {});
    await w.engine.start();
    await w.clock.advance(1000);
    expect(w.engine.lastEvaluation()).toMatchObject({ failed: 1, enqueued: 0 });
    expect(w.engine.stepRecords()[0]).toMatchObject({ state: "cancelled", reason: "invalid-number" });
    await w.engine.evaluate();
    expect(w.outbox.log).toHaveLength(0);
    await w.ledger.upsertInvoices([invoice("i2", "a2", "2026-03-10")]);
    w.outbox.failNext = new Error("store busy");
    await w.clock.advance(3000);
    expect(w.outbox.log).toHaveLength(0);
    await w.engine.evaluate();
    expect(steps(w)).toEqual(["2026-03-05 upcoming i2"]);
    await w.engine.stop();
  });
});

describe("batch admission", () => {
  it("hands reminders over in chunks of 500; a chunk whose write fails is planned again, the others are kept", async () => {
    const w = await makeWorld({ start: berlin("2026-03-05", 10, 30) });
    const n = 1100;
    await w.ledger.upsertAccounts(Array.from({ length: n }, (_, i) => account(`a${i}`)));
    await w.ledger.upsertInvoices(Array.from({ length: n }, (_, i) => invoice(`i${i}`, `a${i}`, "2026-03-10")));
    w.outbox.failNext = new Error("card write failed"); // the first chunk's batch is rejected whole
    await w.engine.start();
    await w.clock.advance(1000);
    const first = w.engine.lastEvaluation();
    expect(w.outbox.batches).toEqual([500, 500, 100]);
    expect(first).toMatchObject({ enqueued: 600, failed: 500 });
    const planned = w.outbox.log.map((m) => m.key);
    expect(new Set(planned).size).toBe(600);
    // The rejected 500 are planned again at the next evaluation, once each.
    const second = await w.engine.evaluate();
    expect(second).toMatchObject({ enqueued: 500, failed: 0 });
    expect(w.outbox.batches).toEqual([500, 500, 100, 500]);
    expect(new Set(w.outbox.log.map((m) => m.key)).size).toBe(n);
    expect(w.outbox.log).toHaveLength(n);
    expect(w.engine.stepRecords().filter((r) => r.state === "enqueued")).toHaveLength(n);
    await w.engine.stop();
  });
});
