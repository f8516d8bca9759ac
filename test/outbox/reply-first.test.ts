import { afterEach, describe, expect, it } from "vitest";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { Priority, type EnqueueRequest, type OutboxMessage } from "../../src/outbox/index.js";
import { decodePdu } from "../../src/sms/index.js";
import { FakeSender, reminder, rig, settle, until, type Rig } from "./helpers.js";
import { activeRecordOnDisk } from "../support/outbox-disk.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.outbox.stop();
  r = undefined;
});

const DEBTOR = "+4917655500001";
let n = 0;
function reply(over: Partial<EnqueueRequest> = {}): EnqueueRequest {
  n++;
  return reminder({
    idempotencyKey: `inbound:in-${n}:balance`,
    to: DEBTOR,
    text: "Your balance is 12.00 EUR.",
    priority: Priority.reply,
    limitClass: "reply",
    origin: { kind: "keyword-reply", inboundId: `in-${n}`, keyword: "balance", accountIds: [] },
    ...over,
  });
}
const recipientOf = (pdu: string): string => (decodePdu(pdu) as { to: string }).to;
const onDisk = activeRecordOnDisk;

describe("keyword replies first", () => {
  it("holds reminder parts while an announced SMS is answered; the reply ends the hold and goes first", async () => {
    r = await rig();
    await r.outbox.start();
    r.outbox.holdForReply(); // +CMTI
    await r.outbox.enqueue(reminder());
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(0);
    expect(r.outbox.waitingFor).toMatch(/keyword reply/);
    await r.outbox.enqueue(reply());
    await until(r.clock, () => r!.sender.sent.length === 2, "the reply, then the reminder");
    expect(recipientOf(r.sender.sent[0]!.pdu)).toBe(DEBTOR);
  });

  it("ends the hold when inbound answers nothing, and at the latest after outbox.replyHoldMs", async () => {
    r = await rig({ config: (c) => (c.replyHoldMs = 300) });
    await r.outbox.start();
    r.outbox.holdForReply();
    await r.outbox.enqueue(reminder());
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(0);
    r.outbox.releaseReplyHold(); // e.g. STOP from a number already opted out: nothing to answer
    await until(r.clock, () => r!.sender.sent.length === 1, "the reminder after the release");

    r.outbox.holdForReply(); // a signal that never gets its answer
    await r.outbox.enqueue(reminder());
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(1);
    await r.clock.advance(299);
    await settle(r.clock, 3);
    expect(r.sender.sent).toHaveLength(1);
    await r.clock.advance(1);
    await until(r.clock, () => r!.sender.sent.length === 2, "the reminder after the hold ran out");
  });

  it("puts a reply between the parts of a long reminder; after a crash the reminder resumes at its next part with its reference", async () => {
    r = await rig();
    const long = reminder({ text: "Your invoice is overdue. ".repeat(18) }); // 3 parts
    const sent = await r.outbox.enqueue(long);
    expect(sent.message.partCount).toBe(3);
    r.sender.hold = true;
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1, "part 1 on the air");
    r.outbox.holdForReply(); // +CMTI while part 1 is on the air
    const answer = await r.outbox.enqueue(reply());
    // The modem goes away right after the reply: nothing more is sent (the loop picks the next
    // part as soon as the reply is answered, so it goes at that moment, not later). What is on
    // disk must let a restart go on correctly.
    const send = r.sender.sendPart.bind(r.sender);
    r.sender.sendPart = async (part) => {
      const answered = await send(part);
      if (recipientOf(part.pdu) === DEBTOR) r!.sender.ready = false;
      return answered;
    };
    r.sender.hold = false;
    r.sender.release();
    await until(r.clock, () => r!.sender.sent.length === 2, "part 1 and the reply");
    expect(r.sender.sent.map((s) => recipientOf(s.pdu))).toEqual(["+4917612345678", DEBTOR]);
    await until(r.clock, () => r!.outbox.get(answer.message.id)!.state === "submitted", "the reply recorded");
    await r.outbox.stop();
    const before = await onDisk(r.dataDir, sent.message.id);
    expect(before).toMatchObject({ state: "sending", concatReference: expect.any(Number) });
    expect(before!.sendingPart).toBeUndefined();
    expect(before!.parts.map((p) => p.reference !== undefined)).toEqual([true, false, false]);

    const sender = new FakeSender(r.clock);
    r = await rig({ dataDir: r.dataDir, clock: r.clock, sender });
    await r.outbox.start();
    await until(r.clock, () => sender.sent.length === 2, "parts 2 and 3 after the restart");
    await settle(r.clock, 3);
    expect(sender.sent).toHaveLength(2); // neither part 1 nor the reply again
    const parts = sender.sent.map(
      (s) => decodePdu(s.pdu) as { to: string; concat?: { reference: number; index: number } },
    );
    expect(parts.map((p) => [p.to, p.concat?.index, p.concat?.reference])).toEqual([
      ["+4917612345678", 2, before!.concatReference],
      ["+4917612345678", 3, before!.concatReference],
    ]);
    expect(r.outbox.get(sent.message.id)!.state).toBe("submitted");
  });

  it("writes a claimed reply once, already as sending, and hands its PDU over only after that write", async () => {
    r = await rig();
    await r.outbox.start();
    const seenOnDisk: Array<OutboxMessage | undefined> = [];
    const send = r.sender.sendPart.bind(r.sender);
    let id = "";
    r.sender.sendPart = async (part) => {
      seenOnDisk.push(await onDisk(r!.dataDir, id));
      return send(part);
    };
    const p = r.outbox.enqueue(reply());
    id = (await p).message.id;
    // Resolved: durable, and already chosen for the modem (no second write between).
    const first = await onDisk(r.dataDir, id);
    expect(first && ["sending", "submitted"]).toContain(first!.state);
    await until(r.clock, () => r!.sender.sent.length === 1, "the reply");
    expect(seenOnDisk[0]).toMatchObject({ state: "sending", sendingPart: 1 });
  });
});

describe("a modem timeout after the PDU was handed over (context.inDoubt)", () => {
  const inDoubt = () =>
    new DuegateError(ErrorCode.ModemTimeout, "CMGS got no answer within 60000 ms", {
      command: "CMGS",
      failure: "timeout",
      temporary: true,
      inDoubt: true,
    });

  it("fails the message by default (outbox.inDoubt = fail): never a possible duplicate", async () => {
    r = await rig();
    r.sender.behaviour = (k) => (k === 1 ? inDoubt() : "ok");
    const m = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(m.message.id)!.state === "failed", "the message failed");
    const got = r.outbox.get(m.message.id)!;
    expect(got.failureReason).toMatch(/^in doubt/);
    expect(got.attempts.map((a) => a.outcome)).toEqual(["in-doubt"]);
    await r.clock.advance(3_600_000);
    await settle(r.clock, 3);
    expect(r.sender.calls).toBe(1);
  });

  it("retries it with backoff under outbox.inDoubt = resend; a timeout before the PDU is a plain temporary failure", async () => {
    r = await rig({ config: (c) => (c.inDoubt = "resend") });
    r.sender.behaviour = (k) =>
      k === 1
        ? inDoubt()
        : k === 2
          ? new DuegateError(ErrorCode.ModemTimeout, "CMGS: no prompt", { temporary: true, inDoubt: false })
          : "ok";
    const m = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1, "the first attempt");
    for (let i = 0; i < 20 && r.outbox.get(m.message.id)!.state !== "submitted"; i++) {
      await r.clock.advance(60_000);
      await settle(r.clock, 2);
    }
    expect(r.outbox.get(m.message.id)!.state).toBe("submitted");
    expect(r.outbox.get(m.message.id)!.attempts.map((a) => a.outcome)).toEqual(["in-doubt", "temporary", "submitted"]);
  });
});

describe("list by number", () => {
  it("matches the E.164 form exactly, not the last digits (+43 151 12340001 is not +49 151 12340001)", async () => {
    r = await rig();
    await r.outbox.enqueue(reminder({ to: "+4915112340001" }));
    await r.outbox.enqueue(reminder({ to: "+4315112340001" }));
    expect(r.outbox.list({ number: "+4315112340001" }).items.map((m) => m.to)).toEqual(["+4315112340001"]);
    expect(r.outbox.list({ number: "0151 12340001" }).items.map((m) => m.to)).toEqual(["+4915112340001"]); // national form, region DE
  });
});
