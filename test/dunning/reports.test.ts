import { describe, it, expect } from "vitest";
import { parse } from "csv-parse/sync";
import {
  aging,
  onTimeRate,
  dso,
  stepEffectiveness,
  partsAndCost,
  evidence,
  evidenceCsv,
} from "../../src/dunning/reports/index.js";
import type { MessageFacts, ReplyFacts, SentMessageFact } from "../../src/ledger/ports.js";
import { makeWorld, berlin, account, invoice } from "./fakes.js";

async function ledgerWorld() {
  const w = await makeWorld({ start: berlin("2026-04-01", 12) });
  await w.ledger.upsertAccounts([account("a1"), account("a2")]);
  await w.ledger.upsertInvoices([
    invoice("cur", "a1", "2026-04-05", { amount: 1_000, issueDate: "2026-03-20" }),
    invoice("d10", "a1", "2026-03-22", { amount: 2_000, issueDate: "2026-03-01" }),
    invoice("d45", "a2", "2026-02-15", { amount: 3_000, issueDate: "2026-02-01" }),
    invoice("d75", "a2", "2026-01-16", { amount: 4_000, issueDate: "2026-01-02" }),
    invoice("d120", "a2", "2025-12-02", { amount: 5_000, issueDate: "2025-11-20" }),
    invoice("chf", "a2", "2026-03-31", { amount: 700, currency: "CHF", issueDate: "2026-03-01" }),
    invoice("paidEarly", "a1", "2026-03-20", { amount: 900, issueDate: "2026-03-01" }),
    invoice("paidLate", "a1", "2026-03-10", { amount: 800, issueDate: "2026-03-01" }),
  ]);
  await w.ledger.recordPayments([
    { id: "p1", invoiceId: "paidEarly", amount: 900, date: "2026-03-18" },
    { id: "p2", invoiceId: "paidLate", amount: 800, date: "2026-03-16" },
    { id: "p3", invoiceId: "d45", amount: 1_000, date: "2026-03-01" },
  ]);
  await w.ledger.disputeInvoice("d75", "a2", "not ours");
  return w;
}

describe("receivables reports", () => {
  it("puts amounts due in aging buckets per currency, disputed ones counted and flagged", async () => {
    const w = await ledgerWorld();
    expect(aging(w.ledger, "2026-04-01")).toEqual([
      {
        currency: "CHF",
        amounts: { current: 0, "1-30": 700, "31-60": 0, "61-90": 0, "over-90": 0 },
        counts: { current: 0, "1-30": 1, "31-60": 0, "61-90": 0, "over-90": 0 },
        total: 700,
        disputed: 0,
      },
      {
        currency: "EUR",
        amounts: { current: 1_000, "1-30": 2_000, "31-60": 2_000, "61-90": 4_000, "over-90": 5_000 },
        counts: { current: 1, "1-30": 1, "31-60": 1, "61-90": 1, "over-90": 1 },
        total: 14_000,
        disputed: 4_000,
      },
    ]);
  });

  it("computes the on-time payment rate and DSO", async () => {
    const w = await ledgerWorld();
    expect(onTimeRate(w.ledger, "2026-03-01", "2026-03-31")).toEqual({
      paid: 2,
      onTime: 1,
      rate: 0.5,
      averageDaysLate: 6,
    });
    // EUR: receivables 14,000; invoiced in the 90 days to 1 April: 1,000+2,000+3,000+4,000+900+800 = 11,700.
    expect(dso(w.ledger, "2026-04-01", 90).find((r) => r.currency === "EUR")).toEqual({
      currency: "EUR",
      receivables: 14_000,
      sales: 11_700,
      periodDays: 90,
      dso: 107.7,
    });
  });
});

describe("step effectiveness", () => {
  it("counts reminders per step and the share paid within 7 days", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    await w.ledger.upsertAccounts([account("a1"), account("a2"), account("a3")]);
    await w.ledger.upsertInvoices([
      invoice("i1", "a1", "2026-03-10"),
      invoice("i2", "a2", "2026-03-10"),
      invoice("i3", "a3", "2026-03-10"),
    ]);
    await w.engine.start();
    while (w.clock.now() < berlin("2026-03-10", 11)) await w.clock.advance(3_600_000);
    await w.ledger.recordPayments([
      { id: "p1", invoiceId: "i1", amount: 12_900, date: "2026-03-12" },
      { id: "p2", invoiceId: "i2", amount: 12_900, date: "2026-03-20" },
    ]);
    await w.engine.stop();
    expect(
      stepEffectiveness(w.engine.stepRecords(), w.ledger, { withinDays: 20 }).map((r) => [r.step, r.paidWithin]),
    ).toEqual([
      ["due", 2],
      ["upcoming", 2],
    ]);
    expect(stepEffectiveness(w.engine.stepRecords(), w.ledger)).toEqual([
      { step: "due", sent: 3, paidWithin: 1, share: 1 / 3, consolidated: 0 },
      // Sent on the 5th: i1, paid on the 12th, counts (7 days); i2, paid on the 20th, does not.
      { step: "upcoming", sent: 3, paidWithin: 1, share: 1 / 3, consolidated: 0 },
    ]);
  });
});

const fact = (over: Partial<SentMessageFact>): SentMessageFact => ({
  id: "m",
  idempotencyKey: "k",
  to: "+491701000001",
  text: "t",
  state: "delivered",
  parts: 1,
  encoding: "gsm7",
  createdAt: Date.UTC(2026, 2, 1, 9),
  ...over,
});

function factsOf(list: SentMessageFact[]): MessageFacts {
  return {
    async *messages(q) {
      for (const m of list)
        if (
          (q.accountId === undefined || m.accountId === q.accountId) &&
          (q.from === undefined || m.createdAt >= q.from) &&
          (q.to === undefined || m.createdAt < q.to)
        )
          yield m;
    },
  };
}

describe("message reports", () => {
  it("sums parts and cost per day in the given zone, leaving out what never left", async () => {
    const facts = factsOf([
      fact({ id: "1", parts: 2, createdAt: Date.UTC(2026, 2, 1, 9) }),
      fact({ id: "2", parts: 1, state: "failed", createdAt: Date.UTC(2026, 2, 1, 22, 30) }), // 23:30 in Berlin: still the 1st
      fact({ id: "3", parts: 3, createdAt: Date.UTC(2026, 2, 1, 23, 30) }), // 00:30 on the 2nd in Berlin
      fact({ id: "4", parts: 5, state: "cancelled" }),
    ]);
    expect(
      await partsAndCost(facts, {
        from: 0,
        to: Date.UTC(2027, 0, 1),
        by: "day",
        timeZone: "Europe/Berlin",
        costPerPart: 0.09,
      }),
    ).toEqual([
      { period: "2026-03-01", messages: 2, sms: 2, emails: 0, parts: 3, delivered: 1, failed: 1, cost: 0.27 },
      { period: "2026-03-02", messages: 1, sms: 1, emails: 0, parts: 3, delivered: 1, failed: 0, cost: 0.27 },
    ]);
  });

  it("exports an account's messages and replies as JSON and CSV", async () => {
    const facts = factsOf([
      fact({
        id: "m1",
        accountId: "a1",
        step: "overdue-7",
        invoiceIds: ["i1"],
        text: 'Invoice "RE-1", 12,90 €',
        deliveredAt: Date.UTC(2026, 2, 1, 9, 1),
        reports: [{ index: 1, reference: 17, status: "delivered", at: Date.UTC(2026, 2, 1, 9, 1) }],
      }),
      fact({ id: "m2", accountId: "other" }),
    ]);
    const replies: ReplyFacts = {
      async *replies() {
        yield {
          id: "r1",
          from: "+491701000001",
          text: "PROMISE 15.3.",
          receivedAt: Date.UTC(2026, 2, 1, 10),
          keyword: "promise",
        };
      },
    };
    const pack = await evidence("a1", facts, replies, Date.UTC(2026, 2, 2));
    expect(pack.messages.map((m) => m.id)).toEqual(["m1"]);
    expect(pack.replies.map((r) => r.id)).toEqual(["r1"]);
    const lines = evidenceCsv(pack).trim().split("\n");
    expect(lines[0]).toBe(
      "kind,at,id,number,step,invoices,state,parts,encoding,submitted_at,delivered_at,reports,reason,text,channel",
    );
    expect(lines[1]).toBe(
      'message,2026-03-01T09:00:00.000Z,m1,+491701000001,overdue-7,i1,delivered,1,gsm7,,2026-03-01T09:01:00.000Z,1:17:delivered@2026-03-01T09:01:00.000Z,,"Invoice ""RE-1"", 12,90 €",sms',
    );
    expect(lines[2]).toBe("reply,2026-03-01T10:00:00.000Z,r1,+491701000001,,,promise,,,,,,,PROMISE 15.3.,sms");
  });

  it("keeps a CSV cell a cell: quotes, commas and line breaks quoted, a formula from a debtor made inert", async () => {
    const facts = factsOf([fact({ id: "m1", accountId: "a1", text: 'Line 1, "quoted"\nLine 2' })]);
    const replies: ReplyFacts = {
      async *replies() {
        yield {
          id: "r1",
          from: "+491701000001",
          text: '=HYPERLINK("http://x","pay")',
          receivedAt: Date.UTC(2026, 2, 1, 10),
        };
        yield { id: "r2", from: "+491701000001", text: "-1+2", receivedAt: Date.UTC(2026, 2, 1, 11) };
      },
    };
    const csv = evidenceCsv(await evidence("a1", facts, replies, Date.UTC(2026, 2, 2)));
    expect(csv).toContain(',"Line 1, ""quoted""\nLine 2",sms\n');
    expect(csv).toContain(`,"'=HYPERLINK(""http://x"",""pay"")",sms\n`);
    expect(csv).toContain(",'-1+2,sms\n");
    const rows = parse(csv, { columns: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => r.text)).toEqual(['Line 1, "quoted"\nLine 2', `'=HYPERLINK("http://x","pay")`, "'-1+2"]);
    expect(rows.map((r) => r.number)).toEqual(["+491701000001", "+491701000001", "+491701000001"]);
  });
});
