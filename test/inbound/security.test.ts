import { describe, expect, it } from "vitest";
import { ALICE, BOB, STRANGER, account, FakeLedger, invoice, rig } from "./fakes.js";

function twoAccountsOnAlice(): FakeLedger {
  return new FakeLedger()
    .add(account("HOME-778812", [ALICE]), invoice("H1", "HOME-778812", 4_200, "2026-06-15"))
    .add(
      account("SHOP-990031", ["+49 176 12345678", BOB], { locale: "de-DE" }),
      invoice("S1", "SHOP-990031", 9_900, "2026-06-30"),
    )
    .add(account("OTHER-1", [BOB]), invoice("O1", "OTHER-1", 100_000, "2026-06-01"));
}

describe("who gets a balance", () => {
  it("answers a number on several accounts with each of them, account numbers masked", async () => {
    const ledger = twoAccountsOnAlice();
    // The fake ledger compares raw strings; the E.164 form is what matters.
    ledger.accounts.get("SHOP-990031")!.phones = [ALICE, BOB];
    const r = await rig({ ledger });
    await r.receive(ALICE, "BALANCE");
    const [reply] = r.outbox.to(ALICE);
    expect(reply!.text.split("\n")).toEqual([
      "Acme Alarm, account ***8812: €42.00 open, earliest due 15 Jun 2026.",
      "Acme Alarm, Konto ***0031: 99,00 € offen, fällig ab 30.06.2026.",
    ]);
    expect(reply!.text).not.toContain("HOME-778812");
    expect(reply!.text).not.toContain("1.000");
  });

  it("never sends a balance to a number the ledger returned but that is not on file (E.164 compared again)", async () => {
    const ledger = twoAccountsOnAlice();
    // A ledger that matched too loosely (say, on the last digits) must not leak.
    ledger.accountsByNumber = () => [ledger.accounts.get("OTHER-1")!];
    const r = await rig({ ledger });
    await r.receive(STRANGER, "BALANCE");
    expect(r.outbox.messages).toHaveLength(0);
    expect(r.inbound.list({}).items[0]!.accountIds).toEqual([]);
  });

  it("matches a sender written in national form to the account's E.164 number", async () => {
    const r = await rig({ ledger: twoAccountsOnAlice() });
    await r.receive("017612345678", "balance");
    expect(r.outbox.to(ALICE)).toHaveLength(1);
  });
});

describe("unknown numbers", () => {
  it.each(["BALANCE", "HELP", "PAID", "PROMISE 25/06", "DISPUTE all wrong", "hello"])(
    "%j from a number on no account gets nothing by default and changes nothing",
    async (text) => {
      const r = await rig({ ledger: twoAccountsOnAlice() });
      await r.receive(STRANGER, text);
      expect(r.outbox.messages).toHaveLength(0);
      expect(r.ledger.pauses).toHaveLength(0);
      expect(r.ledger.disputes).toHaveLength(0);
      expect(r.inbound.list({ from: STRANGER }).total).toBe(1);
      expect(r.events.map((e) => e.event)).toEqual(["inbound.received", "keyword.action"]);
    },
  );

  it("gets only the configured neutral answer, whatever it asked", async () => {
    const r = await rig({
      ledger: twoAccountsOnAlice(),
      config: { unknownNumberReply: "This number does not take messages." },
    });
    await r.receive(STRANGER, "BALANCE");
    await r.receive(STRANGER, "help");
    expect(r.outbox.to(STRANGER).map((m) => m.text)).toEqual([
      "This number does not take messages.",
      "This number does not take messages.",
    ]);
  });

  it("can still opt out: STOP suppresses the number in the ledger", async () => {
    const r = await rig({ ledger: twoAccountsOnAlice() });
    await r.receive(STRANGER, "STOP");
    expect(r.ledger.optOuts).toEqual([{ sel: { number: STRANGER }, optedOut: true }]);
    expect(r.outbox.messages).toHaveLength(0);
  });

  it("never answers an alphanumeric sender", async () => {
    const r = await rig({ ledger: twoAccountsOnAlice(), config: { unknownNumberReply: "No." } });
    await r.receive("PayPal", "Your code is 1234");
    expect(r.outbox.messages).toHaveLength(0);
    expect(r.inbound.list({}).items[0]).toMatchObject({ from: "PayPal", keyword: "unknown" });
    expect(r.inbound.list({}).items[0]!.action!.replies).toEqual([expect.objectContaining({ status: "not-sent" })]);
  });
});

describe("reply rate limit", () => {
  it("answers 5 of 1,000 BALANCE requests from one number in an hour, and stores all 1,000", async () => {
    const r = await rig({ ledger: twoAccountsOnAlice() });
    for (let i = 0; i < 1000; i++) {
      await r.receive(ALICE, "BALANCE");
      await r.clock.advance(1000); // a new SC time stamp each: 1,000 distinct SMS, not duplicates
    }
    expect(r.history.received()).toBe(1000);
    // 1,000 s is under the hour: only the first five were answered.
    expect(r.outbox.to(ALICE)).toHaveLength(5);
    const handled = r.history.lines.flatMap((l) =>
      l.record.kind === "handled" ? l.record.action.replies.map((x) => x.status) : [],
    );
    expect(handled).toHaveLength(1000);
    expect(handled.filter((s) => s === "queued")).toHaveLength(5);
    expect(handled.filter((s) => s === "rate-limited")).toHaveLength(995);
    expect(r.inbound.list({}).total).toBe(1000);
  }, 60_000);

  it("answers again once the hour has passed", async () => {
    const r = await rig({ ledger: twoAccountsOnAlice(), config: { replyLimitPerHour: 2 } });
    for (let i = 0; i < 4; i++) {
      await r.receive(ALICE, "help");
      await r.clock.advance(1000);
    }
    expect(r.outbox.to(ALICE)).toHaveLength(2);
    await r.clock.advance(3_600_000);
    await r.receive(ALICE, "help");
    expect(r.outbox.to(ALICE)).toHaveLength(3);
  });

  it("caps all replies together, so many senders cannot drain the SIM either", async () => {
    const ledger = new FakeLedger();
    const numbers = Array.from({ length: 30 }, (_, i) => `+4917612340${String(i).padStart(3, "0")}`);
    numbers.forEach((n, i) => ledger.add(account(`A${i}`, [n])));
    const r = await rig({ ledger, config: { replyLimitTotalPerHour: 10 } });
    for (const n of numbers) await r.receive(n, "HELP");
    expect(r.outbox.messages).toHaveLength(10);
  });

  it("keeps its counts across a restart", async () => {
    const first = await rig({ ledger: twoAccountsOnAlice(), config: { replyLimitPerHour: 2 } });
    await first.receive(ALICE, "help");
    await first.clock.advance(1000);
    await first.receive(ALICE, "help");
    await first.inbound.stop();
    const second = await rig({
      ledger: first.ledger,
      clock: first.clock,
      state: first.state.afterCrash(),
      history: first.history,
      outbox: first.outbox,
      config: { replyLimitPerHour: 2 },
    });
    await second.clock.advance(1000);
    await second.receive(ALICE, "help");
    expect(second.outbox.to(ALICE)).toHaveLength(2);
  });
});
