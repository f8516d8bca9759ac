/**
 * Sixty days of a small company: 300 accounts (ten behaviours, thirty each, due dates spread
 * over thirty days, three locales, a DST change in the middle), an hourly cron, payments,
 * disputes, promises and opt-outs arriving at noon. The exact list of reminders enqueued on
 * each day is derived from the behaviour table below and compared with what the engine did.
 */
import { describe, it, expect } from "vitest";
import type { AccountMarkEvent } from "../../src/api/events.js";
import { addDays, localNow } from "../../src/core/calendar.js";
import { formatMoney } from "../../src/dunning/templates.js";
import { makeWorld, berlin, type World } from "./fakes.js";
import type { AccountInput, InvoiceInput } from "../../src/ledger/types.js";

const DAY0 = "2026-03-01";
const DAYS = 60;
const LAST = addDays(DAY0, DAYS - 1);
const LOCALES = ["en-GB", "de-DE", "fr-FR"];

type Step = [offset: number, step: string, invoices: string[]];
interface Behaviour {
  name: string;
  account?: Partial<AccountInput>;
  invoices: Array<{ suffix: string; dueOffset: number; amount?: number; directDebit?: boolean }>;
  event?: { at: number; run: (w: World, accountId: string, due: string) => Promise<unknown> };
  expected: Step[];
}

const I = ["i"];
const BEHAVIOURS: Behaviour[] = [
  {
    name: "never-pays",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
      [7, "overdue-7", I],
      [14, "overdue-14", I],
      [30, "final-30", I],
    ],
  },
  {
    name: "pays-in-full",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    event: {
      at: 3,
      run: (w, a, due) =>
        w.ledger.recordPayments([{ id: `${a}-p`, invoiceId: `${a}-i`, amount: 12_900, date: addDays(due, 3) }]),
    },
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
    ],
  },
  {
    name: "pays-part",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    event: {
      at: 2,
      run: (w, a, due) =>
        w.ledger.recordPayments([{ id: `${a}-p`, invoiceId: `${a}-i`, amount: 12_600, date: addDays(due, 2) }]),
    },
    // 3.00 left: below the 5.00 minimum of overdue-14 and final-30.
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
      [7, "overdue-7", I],
    ],
  },
  {
    name: "disputes",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    event: { at: 1, run: (w, a) => w.ledger.disputeInvoice(undefined, a, "I cancelled in January") },
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
    ],
  },
  {
    name: "promises",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    event: { at: 5, run: (w, a, due) => w.ledger.pauseAccount(a, addDays(due, 12), "promise") },
    // Paused through due+14 (promise + 2 days grace); on due+15 the latest due step (overdue-14) goes.
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
      [15, "overdue-14", I],
      [30, "final-30", I],
    ],
  },
  {
    name: "opts-out",
    invoices: [{ suffix: "i", dueOffset: 0 }],
    event: { at: 8, run: (w, a) => w.ledger.setOptOut({ accountId: a }, true, "sms") },
    expected: [
      [-5, "upcoming", I],
      [0, "due", I],
      [7, "overdue-7", I],
    ],
  },
  {
    name: "direct-debit",
    invoices: [{ suffix: "i", dueOffset: 0, directDebit: true }],
    expected: [
      [0, "due", I],
      [7, "overdue-7", I],
      [14, "overdue-14", I],
      [30, "final-30", I],
    ],
  },
  {
    name: "vip",
    account: { segment: "vip" },
    invoices: [{ suffix: "i", dueOffset: 0 }],
    expected: [
      [3, "gentle-3", I],
      [21, "gentle-21", I],
    ],
  },
  { name: "exempt", account: { segment: "exempt" }, invoices: [{ suffix: "i", dueOffset: 0 }], expected: [] },
  {
    name: "two-invoices",
    invoices: [
      { suffix: "i1", dueOffset: 0 },
      { suffix: "i2", dueOffset: 7, amount: 4_100 },
    ],
    expected: [
      [-5, "upcoming", ["i1"]],
      [0, "due", ["i1"]],
      [2, "upcoming", ["i2"]],
      [7, "overdue-7", ["i1", "i2"]],
      [14, "overdue-14", ["i1", "i2"]],
      [21, "overdue-14", ["i2"]],
      [30, "final-30", ["i1"]],
      [37, "final-30", ["i2"]],
    ],
  },
];

describe("a simulated 60-day run", () => {
  it("enqueues exactly the expected reminders on the expected days", async () => {
    const w = await makeWorld({ start: berlin(DAY0) });
    const accounts: AccountInput[] = [];
    const invoices: InvoiceInput[] = [];
    const expected: string[] = [];
    const events = new Map<string, Array<() => Promise<unknown>>>();
    let n = 0;
    for (let copy = 0; copy < 30; copy++)
      for (const b of BEHAVIOURS) {
        const id = `${b.name}-${copy}`;
        const due = addDays(DAY0, 10 + copy);
        accounts.push({
          id,
          version: 1,
          name: `Debtor ${id}`,
          phones: [`+4917${String(10_000_000 + n++)}`],
          locale: LOCALES[copy % 3],
          timeZone: "Europe/Berlin",
          ...b.account,
        });
        for (const inv of b.invoices)
          invoices.push({
            id: `${id}-${inv.suffix}`,
            version: 1,
            accountId: id,
            number: `R-${id}-${inv.suffix}`,
            amount: inv.amount ?? 12_900,
            issueDate: DAY0,
            dueDate: addDays(due, inv.dueOffset),
            directDebit: inv.directDebit ?? false,
          });
        for (const [offset, step, invs] of b.expected) {
          const date = addDays(due, offset);
          if (date <= LAST) expected.push(`${date} ${id} ${step} ${invs.map((s) => `${id}-${s}`).join("+")}`);
        }
        if (b.event) {
          const date = addDays(due, b.event.at);
          const run = b.event.run;
          events.set(date, [...(events.get(date) ?? []), () => run(w, id, due)]);
        }
      }
    expect((await w.ledger.upsertAccounts(accounts)).applied).toHaveLength(300);
    expect((await w.ledger.upsertInvoices(invoices)).applied).toHaveLength(330);

    await w.engine.start();
    const end = berlin(addDays(LAST, 1));
    while (w.clock.now() < end) {
      await w.clock.advance(3_600_000);
      const local = localNow(w.clock.now(), "Europe/Berlin");
      if (local.minute === 12 * 60) for (const run of events.get(local.date) ?? []) await run();
    }
    await w.engine.stop();

    const actual = w.outbox.log.map((m) => `${m.date} ${m.accountId} ${m.step} ${m.invoiceIds.join("+")}`);
    expect(actual.slice().sort()).toEqual(expected.slice().sort());

    // One message per account and day, each step of an invoice once.
    const perDay = new Set(w.outbox.log.map((m) => `${m.date} ${m.accountId}`));
    expect(perDay.size).toBe(w.outbox.log.length);
    const keys = new Set(w.outbox.log.map((m) => m.key));
    expect(keys.size).toBe(w.outbox.log.length);

    // The partial payment shows in the next reminder, in the debtor's locale.
    for (let copy = 0; copy < 30; copy++) {
      const m = w.outbox.log.find((x) => x.accountId === `pays-part-${copy}` && x.step === "overdue-7");
      if (m) expect(m.text).toContain(formatMoney(300, "EUR", LOCALES[copy % 3]!));
    }
    // Every final step published an account mark, and nothing else did.
    const marks = w.events
      .filter((e) => e.event === "account.mark")
      .map(
        (e) => (e.payload as AccountMarkEvent).accountId + " " + (e.payload as AccountMarkEvent).invoiceIds.join("+"),
      );
    expect(marks.sort()).toEqual(
      w.outbox.log
        .filter((m) => m.step === "final-30")
        .map((m) => `${m.accountId} ${m.invoiceIds.join("+")}`)
        .sort(),
    );
    expect(marks.length).toBeGreaterThan(20);
    expect(actual.length).toBe(expected.length);
    expect(expected.length).toBeGreaterThan(700);
  });
});
