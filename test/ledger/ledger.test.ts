import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents, LedgerChangedEvent } from "../../src/api/events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { memoryDocuments, type MemoryDocument } from "../../src/ledger/ports.js";
import type { AccountInput, InvoiceInput } from "../../src/ledger/types.js";

async function open(docs = memoryDocuments()) {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
  const bus = new EventBus<DomainEvents>();
  const changes: LedgerChangedEvent[] = [];
  bus.on("ledger.changed", "t", (e) => void changes.push(e));
  const optouts: unknown[] = [];
  bus.on("account.optout", "t", (e) => void optouts.push(e));
  const ledger = await Ledger.open({
    dataDir: "/x",
    clock,
    bus,
    logger: silentLogger(),
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: docs,
  });
  return { ledger, clock, changes, optouts, docs };
}

// The ledger takes records whose shape the edge checked (src/api/payloads.ts); shape refusals are tested there (test/api).
const acct = (id: string, over: Partial<AccountInput> = {}): AccountInput => ({
  id,
  version: 1,
  name: "Jana Schmidt",
  phones: ["0170 1234567"],
  ...over,
});
const inv = (id: string, accountId: string, over: Partial<InvoiceInput> = {}): InvoiceInput => ({
  id,
  version: 1,
  accountId,
  amount: 5000,
  issueDate: "2026-03-01",
  dueDate: "2026-03-15",
  ...over,
});

describe("ledger upserts", () => {
  it("normalises phone numbers to E.164 with the default region and indexes them", async () => {
    const { ledger } = await open();
    const r = await ledger.upsertAccounts([acct("a1", { phones: ["0170 1234567", "+43 664 1234567"] })]);
    expect(r.applied).toEqual(["a1"]);
    expect(ledger.account("a1")!.phones).toEqual(["+491701234567", "+436641234567"]);
    expect(ledger.accountsByNumber("+491701234567").map((a) => a.id)).toEqual(["a1"]);
    expect(ledger.accountsByNumber("01701234567").map((a) => a.id)).toEqual(["a1"]);
  });

  it("refuses a record that breaks a ledger rule, names the field and the reason, and keeps the good ones", async () => {
    const { ledger } = await open();
    const r = await ledger.upsertAccounts([
      acct("ok"),
      acct("bad", { phones: ["+491701234567", "12"] }),
      acct("tz", { timeZone: "Mars/Olympus" }),
    ]);
    expect(r.applied).toEqual(["ok"]);
    expect(r.refused.find((x) => x.id === "bad")).toMatchObject({
      index: 1,
      field: "phones[1]",
      code: "invalid_number",
    });
    expect(r.refused.find((x) => x.id === "tz")).toMatchObject({ index: 2, field: "timeZone" });
    // The reason never repeats the number.
    expect(JSON.stringify(r.refused)).not.toContain("491701234567");
  });

  it("keeps the invoice rules the schema cannot state: due after issue, amount due within the amount, paid means nothing due", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    const r = await ledger.upsertInvoices([
      inv("i1", "a1", { issueDate: "2026-03-20", dueDate: "2026-03-15" }),
      inv("i3", "nobody"),
      inv("i4", "a1", { amountDue: 6000 }),
      inv("i5", "a1", { status: "paid", amountDue: 100 }),
      inv("i6", "a1", { amountDue: 0 }),
    ]);
    expect(r.applied).toEqual(["i6"]);
    expect(r.refused.map((x) => [x.id, x.field])).toEqual([
      ["i1", "dueDate"],
      ["i3", "accountId"],
      ["i4", "amountDue"],
      ["i5", "amountDue"],
    ]);
    expect(r.refused[0]!.reason).toMatch(/before issueDate/);
    // An open invoice with nothing due is a paid one.
    expect(ledger.invoice("i6")!.status).toBe("paid");
  });

  it("never lets an older version overwrite a newer one; an equal version is a no-op", async () => {
    const { ledger, changes } = await open();
    await ledger.upsertAccounts([acct("a1", { version: 5, name: "New" })]);
    const older = await ledger.upsertAccounts([acct("a1", { version: 4, name: "Old" })]);
    const same = await ledger.upsertAccounts([acct("a1", { version: 5, name: "Other" })]);
    expect(older.stale).toEqual(["a1"]);
    expect(same.unchanged).toEqual(["a1"]);
    expect(ledger.account("a1")!.name).toBe("New");
    expect(changes).toHaveLength(1);
  });

  it("keeps the debtor's opt-out and pause when accounting updates the account", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.setOptOut({ number: "+491701234567" }, true, "sms");
    await ledger.pauseAccount("a1", "2026-04-01", "promise");
    await ledger.upsertAccounts([acct("a1", { version: 2, name: "Jana S." })]);
    expect(ledger.account("a1")).toMatchObject({
      name: "Jana S.",
      optedOut: true,
      pausedUntil: "2026-04-01",
      pauseReason: "promise",
    });
  });

  it("is durable when a batch resolves (one flush per batch)", async () => {
    const { ledger, docs } = await open();
    await ledger.upsertAccounts([acct("a1"), acct("a2")]);
    const doc = docs.docs.get("ledger.json") as MemoryDocument<unknown>;
    expect(doc.flushes).toBe(1);
    expect(doc.dirty).toBe(false);
  });

  it("rebuilds its indexes when reopened", async () => {
    const first = await open();
    await first.ledger.upsertAccounts([acct("a1")]);
    await first.ledger.upsertInvoices([inv("i1", "a1")]);
    const second = await open(first.docs);
    expect(second.ledger.invoicesOf("a1").map((i) => i.id)).toEqual(["i1"]);
    expect(second.ledger.accountsByNumber("+491701234567")).toHaveLength(1);
  });
});

describe("balances and payments", () => {
  it("sums amounts due per currency and finds the earliest due date", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([
      inv("i1", "a1", { amountDue: 2000 }),
      inv("i2", "a1", { dueDate: "2026-03-05" }),
      inv("i3", "a1", { currency: "CHF", amount: 700 }),
      inv("i4", "a1", { status: "void" }),
    ]);
    expect(ledger.balance("a1")).toEqual({
      byCurrency: { EUR: 7000, CHF: 700 },
      openInvoices: 3,
      earliestDue: "2026-03-05",
    });
  });

  it("a payment in full marks the invoice paid and says reminders must stop", async () => {
    const { ledger, changes } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([inv("i1", "a1")]);
    const r = await ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 5000, date: "2026-03-12" }]);
    expect(r.applied).toEqual(["p1"]);
    expect(ledger.invoice("i1")).toMatchObject({ status: "paid", amountDue: 0, paidOn: "2026-03-12" });
    expect(changes.at(-1)).toMatchObject({ kind: "payment", accountId: "a1", stop: "paid", invoiceIds: ["i1"] });
  });

  it("a partial payment lowers the amount due; the same payment twice counts once", async () => {
    const { ledger, changes } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([inv("i1", "a1")]);
    await ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 1200, date: "2026-03-12" }]);
    const again = await ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 1200, date: "2026-03-12" }]);
    expect(again.unchanged).toEqual(["p1"]);
    expect(ledger.invoice("i1")).toMatchObject({ status: "open", amountDue: 3800 });
    expect(changes.at(-1)?.stop).toBeUndefined();
  });

  it("a payment without an invoice settles the oldest open invoices first", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([
      inv("late", "a1", { dueDate: "2026-03-20" }),
      inv("early", "a1", { dueDate: "2026-03-02" }),
    ]);
    await ledger.recordPayments([{ id: "p1", accountId: "a1", amount: 6000, date: "2026-03-12" }]);
    expect(ledger.invoice("early")).toMatchObject({ status: "paid", amountDue: 0 });
    expect(ledger.invoice("late")).toMatchObject({ status: "open", amountDue: 4000 });
  });

  it("refuses a payment for an unknown invoice or in another currency", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([inv("i1", "a1")]);
    const r = await ledger.recordPayments([
      { id: "p1", invoiceId: "nope", amount: 1, date: "2026-03-12" },
      { id: "p2", invoiceId: "i1", amount: 1, currency: "USD", date: "2026-03-12" },
    ]);
    expect(r.refused.map((x) => x.code)).toEqual(["unknown_invoice", "mismatch"]);
  });
});

describe("opt-out, disputes, erasure, search", () => {
  it("STOP from a number opts out every account on it and publishes it", async () => {
    const { ledger, optouts } = await open();
    await ledger.upsertAccounts([acct("a1"), acct("a2"), acct("a3", { phones: ["+491709999999"] })]);
    const changed = await ledger.setOptOut({ number: "+491701234567" }, true, "sms");
    expect(changed.sort()).toEqual(["a1", "a2"]);
    expect(ledger.account("a3")!.optedOut).toBe(false);
    expect(optouts).toHaveLength(2);
  });

  it("a dispute without an invoice holds every open invoice of the account", async () => {
    const { ledger, changes } = await open();
    await ledger.upsertAccounts([acct("a1")]);
    await ledger.upsertInvoices([inv("i1", "a1"), inv("i2", "a1"), inv("i3", "a1", { status: "paid" })]);
    expect((await ledger.disputeInvoice(undefined, "a1", "never ordered this")).sort()).toEqual(["i1", "i2"]);
    expect(changes.at(-1)).toMatchObject({ stop: "disputed" });
    await ledger.releaseDispute("i1");
    expect(ledger.invoice("i1")).toMatchObject({ status: "open", resumedOn: "2026-03-10" });
  });

  it("erasure removes personal data and keeps anonymous counts; a stale republish cannot bring it back", async () => {
    const { ledger, changes } = await open();
    await ledger.upsertAccounts([acct("a1", { version: 3 })]);
    await ledger.upsertInvoices([inv("i1", "a1")]);
    await ledger.recordPayments([{ id: "p1", invoiceId: "i1", amount: 100, date: "2026-03-12" }]);
    expect(await ledger.eraseAccount("a1")).toBe(true);
    expect(ledger.account("a1")).toBeUndefined();
    expect(ledger.invoice("i1")).toBeUndefined();
    expect(ledger.accountsByNumber("+491701234567")).toEqual([]);
    expect(ledger.stats()).toMatchObject({
      accounts: 0,
      invoices: 0,
      payments: 0,
      erased: { accounts: 1, invoices: 1, payments: 1 },
    });
    expect(changes.at(-1)).toMatchObject({ kind: "erasure", stop: "erased", invoiceIds: ["i1"] });
    expect((await ledger.upsertAccounts([acct("a1", { version: 3 })])).stale).toEqual(["a1"]);
    expect((await ledger.upsertAccounts([acct("a1", { version: 4 })])).applied).toEqual(["a1"]);
  });

  it("lists accounts by name, id or number digits, paged", async () => {
    const { ledger } = await open();
    await ledger.upsertAccounts([
      acct("a1", { name: "Jana Schmidt" }),
      acct("a2", { name: "Otto Weber", phones: ["+491705555555"] }),
    ]);
    expect(ledger.listAccounts({ search: "weber" }).items.map((a) => a.id)).toEqual(["a2"]);
    expect(ledger.listAccounts({ search: "5555555" }).items.map((a) => a.id)).toEqual(["a2"]);
    expect(ledger.listAccounts({ limit: 1, offset: 1 })).toMatchObject({ total: 2, items: [{ id: "a2" }] });
  });
});
