import { describe, expect, it } from "vitest";
import { Priority } from "../../src/outbox/types.js";
import { ALICE, account, FakeLedger, invoice, rig, START } from "./fakes.js";

function aliceLedger(extra: Parameters<typeof account>[2] = {}): FakeLedger {
  return new FakeLedger().add(
    account("ACC-100042", [ALICE], extra),
    invoice("I1", "ACC-100042", 12_345, "2026-06-20"),
    invoice("I2", "ACC-100042", 5_000, "2026-06-01"),
  );
}

describe("BALANCE", () => {
  it("replies with the balance and the earliest due date, in the account's locale, ahead of reminders", async () => {
    const r = await rig({ ledger: aliceLedger({ locale: "de-DE" }) });
    await r.receive(ALICE, "saldo");
    const [reply] = r.outbox.to(ALICE);
    expect(reply!.text).toBe("Acme Alarm, Konto ***0042: 173,45 € offen, fällig ab 01.06.2026.");
    expect(reply!.priority).toBe(Priority.reply);
    expect(reply!.limitClass).toBe("reply");
    expect(reply!.origin).toMatchObject({ kind: "keyword-reply", keyword: "balance", accountIds: ["ACC-100042"] });
  });

  it("formats money in en-GB and fr-FR without characters outside GSM 7-bit spaces", async () => {
    const gb = await rig({ ledger: aliceLedger() });
    await gb.receive(ALICE, "BALANCE");
    expect(gb.outbox.to(ALICE)[0]!.text).toBe("Acme Alarm, account ***0042: €173.45 open, earliest due 1 Jun 2026.");
    const fr = await rig({ ledger: aliceLedger({ locale: "fr-FR" }) });
    await fr.receive(ALICE, "solde");
    expect(fr.outbox.to(ALICE)[0]!.text).toBe("Acme Alarm, compte ***0042: 173,45 € dus, échéance 1 juin 2026.");
    expect(fr.outbox.to(ALICE)[0]!.text).not.toMatch(/[\u00a0\u202f]/);
  });

  it("says nothing is due when every invoice is paid", async () => {
    const ledger = new FakeLedger().add(
      account("A7", [ALICE]),
      invoice("I9", "A7", 0, "2026-06-01", { status: "paid" }),
    );
    const r = await rig({ ledger });
    await r.receive(ALICE, "balance");
    expect(r.outbox.to(ALICE)[0]!.text).toBe("Acme Alarm, account ***7: nothing is due. Thank you!");
  });
});

describe("STOP", () => {
  it.each([
    "STOP",
    "stop",
    "Unsubscribe",
    "CANCEL",
    "end",
    "Quit",
    "STOPALL",
    "revoke",
    "opt out",
    "Stopp!",
    "ABMELDEN",
  ])("%j opts the number out at once and cancels what is queued", async (word) => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, word);
    expect(r.ledger.optOuts).toEqual([{ sel: { number: ALICE }, optedOut: true }]);
    expect(r.ledger.accounts.get("ACC-100042")!.optedOut).toBe(true);
    expect(r.outbox.cancels).toEqual([{ selector: { accountId: "ACC-100042" }, reason: "opted out by SMS" }]);
    const action = r.events.find((e) => e.event === "keyword.action")!.payload;
    expect(action).toMatchObject({ keyword: "stop", accountIds: ["ACC-100042"], from: ALICE });
  });

  it("confirms once, with a deadline five minutes after receipt, and not again for a second STOP", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "STOP");
    await r.clock.advance(60_000);
    await r.receive(ALICE, "STOP");
    await r.receive(ALICE, "stop!!");
    const replies = r.outbox.to(ALICE);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toBe("Acme Alarm: you will get no more texts from us. Reply START to get them again.");
    expect(replies[0]!.expiresAt).toBe(START + 5 * 60_000);
    expect(r.ledger.optOuts).toHaveLength(3);
  });

  it("opts in again with START, and a later STOP is confirmed again", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "STOP");
    await r.receive(ALICE, "START");
    expect(r.ledger.accounts.get("ACC-100042")!.optedOut).toBe(false);
    await r.receive(ALICE, "stop");
    expect(r.outbox.to(ALICE).map((m) => m.origin.kind === "keyword-reply" && m.origin.keyword)).toEqual([
      "stop",
      "start",
      "stop",
    ]);
  });

  it("sends no confirmation when confirmations are off", async () => {
    const r = await rig({ ledger: aliceLedger(), config: { stopConfirmation: false } });
    await r.receive(ALICE, "STOP");
    expect(r.outbox.to(ALICE)).toHaveLength(0);
    expect(r.ledger.accounts.get("ACC-100042")!.optedOut).toBe(true);
  });
});

describe("HELP", () => {
  it("names the company and the support contact, and no account data", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "help");
    const text = r.outbox.to(ALICE)[0]!.text;
    expect(text).toBe(
      "Acme Alarm: payment reminders. Help: +49 30 1234567. Reply BALANCE for your balance, STOP to end texts. Msg&data rates may apply.",
    );
    expect(text).not.toContain("173");
  });
});

describe("PAID", () => {
  it("pauses the account for paidPauseDays, confirms and publishes for accounting", async () => {
    const r = await rig({ ledger: aliceLedger(), config: { dunning: { paidPauseDays: 7 } } });
    await r.receive(ALICE, "PAID yesterday by bank transfer");
    expect(r.ledger.pauses).toEqual([
      { accountId: "ACC-100042", until: "2026-06-17", reason: expect.stringMatching(/^paid claim by SMS in_/) },
    ]);
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: thank you, we noted your payment. No reminders until 17 Jun 2026 while we check it.",
    );
    expect(r.events.find((e) => e.event === "keyword.action")!.payload).toMatchObject({
      keyword: "paid",
      text: "yesterday by bank transfer",
      accountIds: ["ACC-100042"],
    });
  });
});

describe("PROMISE", () => {
  it.each([["25/06"], ["25.06.2026"], ["2026-06-25"], ["june 25"], ["25 June"]])(
    "PROMISE %s pauses until 25 June and confirms",
    async (date) => {
      const r = await rig({ ledger: aliceLedger() });
      await r.receive(ALICE, `promise ${date}`);
      expect(r.ledger.pauses).toEqual([{ accountId: "ACC-100042", until: "2026-06-25", reason: expect.any(String) }]);
      expect(r.outbox.to(ALICE)[0]!.text).toBe(
        "Acme Alarm: thank you, we noted your promise to pay by 25 Jun 2026. No reminders until then.",
      );
      expect(r.events.find((e) => e.event === "keyword.action")!.payload).toMatchObject({
        keyword: "promise",
        promiseDate: "2026-06-25",
      });
    },
  );

  it("reads weekday names in the account's language", async () => {
    const r = await rig({ ledger: aliceLedger({ locale: "de-DE" }) });
    await r.receive(ALICE, "Zusage Freitag");
    expect(r.ledger.pauses[0]!.until).toBe("2026-06-12");
    expect(r.outbox.to(ALICE)[0]!.text).toContain("bis 12.06.2026 zu zahlen");
  });

  it("refuses a past date politely and changes nothing", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "PROMISE 01.06.2026");
    expect(r.ledger.pauses).toHaveLength(0);
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: 1 Jun 2026 has passed. Please reply with a date from today on, e.g. PROMISE 17.06.",
    );
  });

  it("refuses a date beyond promiseMaxDays, naming the latest it accepts", async () => {
    const r = await rig({ ledger: aliceLedger(), config: { promiseMaxDays: 30 } });
    await r.receive(ALICE, "PROMISE 2026-08-01");
    expect(r.ledger.pauses).toHaveLength(0);
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: we can note a promise up to 10 Jul 2026. Help: +49 30 1234567.",
    );
  });

  it("asks again when there is no date", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "promise");
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: we could not read the date. Please reply e.g. PROMISE 17.06.",
    );
    expect(r.history.lines.find((l) => l.record.kind === "handled")!.record).toMatchObject({
      action: { summary: "promise refused (unreadable)" },
    });
  });
});

describe("DISPUTE", () => {
  it("holds the invoice named in the text", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "DISPUTE inv-I1 was never delivered");
    expect(r.ledger.disputes).toEqual([
      { invoiceId: "I1", accountId: "ACC-100042", text: "inv-I1 was never delivered" },
    ]);
    expect(r.outbox.to(ALICE)[0]!.text).toContain("we noted your objection");
    expect(r.events.find((e) => e.event === "keyword.action")!.payload).toMatchObject({
      keyword: "dispute",
      text: "inv-I1 was never delivered",
    });
  });

  it("holds the whole account when no single invoice is meant", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "Widerspruch: ich habe nichts bestellt");
    expect(r.ledger.disputes).toEqual([
      { invoiceId: undefined, accountId: "ACC-100042", text: "ich habe nichts bestellt" },
    ]);
  });
});

describe("anything else", () => {
  it("goes to the staff inbox and is published, without a reply by default", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "Can I pay in two instalments?");
    expect(r.outbox.messages).toHaveLength(0);
    const { items } = r.inbound.list({ needsStaff: true });
    expect(items.map((i) => [i.text, i.keyword])).toEqual([["Can I pay in two instalments?", "unknown"]]);
    expect(r.events.find((e) => e.event === "keyword.action")!.payload).toMatchObject({
      keyword: "unknown",
      text: "Can I pay in two instalments?",
    });
  });

  it("is answered with a short help text when unknownKeywordHelp is on", async () => {
    const r = await rig({ ledger: aliceLedger(), config: { unknownKeywordHelp: true } });
    await r.receive(ALICE, "Who are you?");
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: a person will read your message. Reply BALANCE for your balance, HELP for help, STOP to end texts.",
    );
  });

  it("flags a request to stop in other words for staff", async () => {
    const r = await rig({ ledger: aliceLedger() });
    await r.receive(ALICE, "Why do you not stop sending me these?");
    expect(r.inbound.list({}).items[0]!.action).toMatchObject({
      keyword: "unknown",
      possibleOptOut: true,
      summary: "for staff: may ask to stop texts",
    });
  });
});

describe("configured replies", () => {
  it("uses an operator's text for a language", async () => {
    const r = await rig({
      ledger: aliceLedger({ locale: "de-AT" }),
      config: { replyTexts: { de: { help: "{company} hilft unter {contact}." } } },
    });
    await r.receive(ALICE, "HILFE");
    expect(r.outbox.to(ALICE)[0]!.text).toBe("Acme Alarm hilft unter +49 30 1234567.");
  });
});
