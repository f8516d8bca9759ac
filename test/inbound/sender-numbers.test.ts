import { describe, expect, it } from "vitest";
import { account, FakeLedger, invoice, rig } from "./fakes.js";

describe("inbound senders and the one phone rule (src/core/phone.ts)", () => {
  it("does not answer a sender the outbox could not send to (possible length, no numbering plan)", async () => {
    const r = await rig({ config: { unknownNumberReply: "Please call us." } });
    await r.receive("+15555550100", "hello");
    const [record] = r.inbound.list({}).items;
    expect(record!.accountIds).toEqual([]);
    expect(record!.action!.replies).toMatchObject([
      { status: "not-sent", reason: "sender cannot be answered (not a phone number)" },
    ]);
    expect(r.outbox.messages).toEqual([]);
  });

  it("never matches a short code to the account that has the same digits as a German number", async () => {
    const ledger = new FakeLedger().add(account("A1", ["+4912345"]), invoice("I1", "A1", 1000, "2026-06-20"));
    const r = await rig({ ledger });
    await r.receive("12345", "BALANCE");
    const [record] = r.inbound.list({}).items;
    expect(record!.from).toBe("12345");
    expect(record!.accountIds).toEqual([]);
    expect(r.outbox.messages).toEqual([]);
  });

  it("matches a subscriber on file to its account and answers it", async () => {
    const ledger = new FakeLedger().add(account("A1", ["+4917612345678"]), invoice("I1", "A1", 1000, "2026-06-20"));
    const r = await rig({ ledger });
    await r.receive("+4917612345678", "BALANCE");
    expect(r.inbound.list({}).items[0]!.accountIds).toEqual(["A1"]);
    expect(r.outbox.to("+4917612345678")).toHaveLength(1);
  });
});
