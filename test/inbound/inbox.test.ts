import { describe, expect, it } from "vitest";
import { Priority } from "../../src/outbox/types.js";
import { ALICE, BOB, STRANGER, account, FakeLedger, invoice, rig, START } from "./fakes.js";

async function busyRig() {
  const ledger = new FakeLedger()
    .add(account("A1", [ALICE]), invoice("I1", "A1", 1000, "2026-06-20"))
    .add(account("B1", [BOB]));
  const r = await rig({ ledger });
  const script: Array<[string, string]> = [
    [ALICE, "BALANCE"],
    [BOB, "Can I pay later?"],
    [STRANGER, "hi"],
    [ALICE, "PROMISE 25/06"],
    [BOB, "STOP"],
    [ALICE, "dispute wrong amount"],
  ];
  for (const [from, text] of script) {
    await r.receive(from, text);
    await r.clock.advance(60_000);
  }
  return r;
}

describe("staff inbox", () => {
  it("lists newest first with the action taken", async () => {
    const r = await busyRig();
    const { total, items } = r.inbound.list({});
    expect(total).toBe(6);
    expect(items.map((i) => i.keyword)).toEqual(["dispute", "stop", "promise", "unknown", "unknown", "balance"]);
    expect(items[2]!.action).toMatchObject({
      keyword: "promise",
      promiseDate: "2026-06-25",
      summary: "promise to pay by 2026-06-25: 1 account(s) paused",
      replies: [{ by: "auto", status: "queued" }],
    });
  });

  it("filters by sender (any written form), account, keyword and time, and pages", async () => {
    const r = await busyRig();
    expect(r.inbound.list({ from: "0151 12345678" }).items.map((i) => i.text)).toEqual(["STOP", "Can I pay later?"]);
    expect(r.inbound.list({ accountId: "A1" }).total).toBe(3);
    expect(r.inbound.list({ keyword: "unknown" }).items.map((i) => i.from)).toEqual([STRANGER, BOB]);
    expect(r.inbound.list({ since: START + 2 * 60_000, until: START + 4 * 60_000 }).items.map((i) => i.text)).toEqual([
      "PROMISE 25/06",
      "hi",
    ]);
    const page = r.inbound.list({ offset: 2, limit: 2 });
    expect(page.total).toBe(6);
    expect(page.items.map((i) => i.keyword)).toEqual(["promise", "unknown"]);
    expect(r.inbound.list({ needsStaff: true }).items.map((i) => i.keyword)).toEqual(["dispute", "unknown", "unknown"]);
  });

  it("rebuilds the inbox from the history after a restart", async () => {
    const r = await busyRig();
    const again = await rig({ ledger: r.ledger, clock: r.clock, state: r.state.afterCrash(), history: r.history });
    expect(again.inbound.list({}).items.map((i) => [i.id, i.keyword])).toEqual(
      r.inbound.list({}).items.map((i) => [i.id, i.keyword]),
    );
  });

  it("searches older messages in the history files", async () => {
    const r = await busyRig();
    const found = await r.inbound.search({ keyword: "stop" });
    expect(found.items.map((i) => i.from)).toEqual([BOB]);
  });
});

describe("staff replies", () => {
  it("go through the outbox as replies, recorded on the message, not rate-limited", async () => {
    const r = await busyRig();
    const question = r.inbound.list({ from: BOB, keyword: "unknown" }).items[0]!;
    for (let i = 0; i < 8; i++)
      await r.inbound.reply(BOB, `Yes, you can (${i}).`, { inboundId: question.id, by: "maria" });
    const sent = r.outbox.to(BOB).filter((m) => m.text.startsWith("Yes"));
    expect(sent).toHaveLength(8);
    expect(sent[0]).toMatchObject({
      priority: Priority.reply,
      limitClass: "reply",
      origin: { kind: "keyword-reply", inboundId: question.id, keyword: "staff", accountIds: ["B1"] },
    });
    expect(r.inbound.get(question.id)!.action!.replies.filter((x) => x.by === "staff")).toHaveLength(8);
  });

  it("refuses a number that is none, an empty text and an unknown message id", async () => {
    const r = await busyRig();
    await expect(r.inbound.reply("hello", "x")).rejects.toMatchObject({ code: "outbox.invalid_number" });
    await expect(r.inbound.reply(ALICE, "  ")).rejects.toMatchObject({ code: "domain.validation" });
    await expect(r.inbound.reply(ALICE, "x", { inboundId: "in_nope" })).rejects.toMatchObject({
      code: "domain.not_found",
    });
  });

  it("can write to a number without a message to answer", async () => {
    const r = await busyRig();
    const out = await r.inbound.reply("+49 176 12345678", "Your payment arrived, thank you.", { by: "maria" });
    expect(out.status).toBe("queued");
    expect(r.outbox.get(out.outboxId!)).toMatchObject({
      to: ALICE,
      origin: { kind: "api", requestedBy: "maria", accountId: "A1" },
    });
  });
});
