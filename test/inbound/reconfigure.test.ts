import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { ALICE, account, BOB, FakeLedger, inboundConfig, invoice, pdus, rig, START } from "./fakes.js";

/** Inbound.applySettings: the panel's (or a reload's) inbound settings in force for the next SMS, without a restart. */
describe("new inbound settings while running", () => {
  const ledger = () =>
    new FakeLedger()
      .add(account("ACC-100042", [ALICE], { locale: "pl-PL" }), invoice("I1", "ACC-100042", 12_345, "2026-06-20"))
      .add(account("B1", [BOB]));

  it("routes a new per-locale alias and answers with the new company, contact, texts and pause days", async () => {
    const r = await rig({ ledger: ledger() });
    await r.receive(ALICE, "STAN");
    expect(r.inbound.list({}).items[0]!.keyword).toBe("unknown");
    expect(r.outbox.to(ALICE)).toHaveLength(0);

    r.inbound.applySettings(
      inboundConfig({
        localeAliases: { pl: { balance: ["STAN"] } },
        companyName: "Acme Security",
        supportContact: "+49 30 999000",
        replyTexts: { pl: { paid: "{company}: dziekujemy, bez przypomnien do {date}." } },
        dunning: { paidPauseDays: 10 },
      }),
    );
    await r.clock.advance(1000);
    await r.receive(ALICE, "STAN");
    expect(r.outbox.to(ALICE)[0]!.text).toMatch(/^Acme Security, account \*\*\*0042: .*123[.,]45/);
    expect(
      r.events.filter((e) => e.event === "inbound.received").map((e) => (e.payload as { keyword: string }).keyword),
    ).toEqual(["unknown", "balance"]);
    await r.receive(ALICE, "HELP");
    expect(r.outbox.to(ALICE)[1]!.text).toContain("Help: +49 30 999000.");
    await r.receive(ALICE, "PAID");
    expect(r.ledger.pauses).toEqual([{ accountId: "ACC-100042", until: "2026-06-20", reason: expect.any(String) }]);
    expect(r.outbox.to(ALICE)[2]!.text).toMatch(/^Acme Security: dziekujemy, bez przypomnien do /);
  });

  it("takes new reply limits, counting the replies already sent this hour", async () => {
    const r = await rig({ ledger: ledger() });
    await r.receive(ALICE, "HELP");
    await r.receive(ALICE, "HELP please");
    r.inbound.applySettings(inboundConfig({ replyLimitPerHour: 2 }));
    await r.receive(ALICE, "HELP now");
    expect(r.outbox.to(ALICE)).toHaveLength(2);
    expect(r.inbound.list({}).items.find((m) => m.text === "HELP now")!.action!.replies[0]!.status).toBe(
      "rate-limited",
    );
  });

  it("refuses an alias claimed by two keywords and keeps the settings in force", async () => {
    const r = await rig({ ledger: ledger(), config: { aliases: { balance: ["KONTO"] } } });
    let thrown: unknown;
    try {
      r.inbound.applySettings(inboundConfig({ aliases: { balance: ["STOP"] }, supportContact: "never" }));
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toMatchObject({ code: ErrorCode.ConfigInvalid, context: { where: "inbound.aliases" } });
    await r.receive(ALICE, "KONTO");
    await r.receive(ALICE, "STOP");
    expect(r.outbox.to(ALICE).map((m) => m.origin)).toMatchObject([{ keyword: "balance" }, { keyword: "stop" }]);
    await r.receive(ALICE, "HELP");
    expect(r.outbox.to(ALICE)[2]!.text).toContain("+49 30 1234567");
  });

  it("answers an SMS taken before the change with the settings it started with", async () => {
    // BOB's STOP holds the action queue (the ledger write waits); ALICE's HELP is stored behind it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    class SlowLedger extends FakeLedger {
      override async setOptOut(sel: { accountId: string } | { number: string }, optedOut: boolean): Promise<string[]> {
        await gate;
        return super.setOptOut(sel, optedOut);
      }
    }
    const slow = new SlowLedger()
      .add(account("ACC-100042", [ALICE]), invoice("I1", "ACC-100042", 12_345, "2026-06-20"))
      .add(account("B1", [BOB]));
    const r = await rig({ ledger: slow });
    for (const p of pdus(BOB, "STOP", { timestamp: START, concatReference: 1 })) await r.inbound.handlePart(p);
    for (const p of pdus(ALICE, "HELP", { timestamp: START, concatReference: 2 })) await r.inbound.handlePart(p);
    r.inbound.applySettings(inboundConfig({ supportContact: "+49 30 999000", companyName: "Acme Security" }));
    release();
    await r.inbound.idle();
    expect(r.outbox.to(ALICE)[0]!.text).toBe(
      "Acme Alarm: payment reminders. Help: +49 30 1234567. Reply BALANCE for your balance, STOP to end texts. Msg&data rates may apply.",
    );
    await r.clock.advance(1000);
    await r.receive(ALICE, "HELP");
    expect(r.outbox.to(ALICE)[1]!.text).toBe(
      "Acme Security: payment reminders. Help: +49 30 999000. Reply BALANCE for your balance, STOP to end texts. Msg&data rates may apply.",
    );
  });
});
