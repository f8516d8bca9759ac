/**
 * Parts in doubt (docs/outbox.md, "Parts in doubt"): a later part is sent again with the same
 * concatenation reference and sequence number whatever outbox.inDoubt says, and a delivery
 * report for the recipient of a part in doubt settles it.
 */
import { describe, it, expect, afterEach } from "vitest";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { decodePdu } from "../../src/sms/index.js";
import { disposeRig, rig, reminder, settle, until, type Rig } from "./helpers.js";

let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

const cmgsLost = () =>
  new DuegateError(ErrorCode.ModemTimeout, "CMGS got no answer within 3000 ms", {
    command: "CMGS",
    failure: "timeout",
    temporary: true,
    inDoubt: true,
  });

/** Concatenation reference and sequence number of a sent PDU. */
function concatOf(pdu: string): { reference: number; index: number; count: number } | undefined {
  const d = decodePdu(pdu);
  return d.type === "submit" ? d.concat : undefined;
}

const report = (reference: number, recipient: string) => ({
  type: "status-report" as const,
  reference,
  recipient,
  status: 0,
  scts: 0,
  discharge: Date.UTC(2026, 2, 10, 9, 5),
  outcome: { final: true, delivered: true, temporary: false, text: "delivered" },
});

describe("a later part in doubt", () => {
  it("after a crash while part 2 was at the modem, part 2 goes again with the same reference and sequence number (outbox.inDoubt = fail)", async () => {
    r = await rig();
    expect(r.config.inDoubt).toBe("fail");
    r.sender.hold = true;
    const { message } = await r.outbox.enqueue(reminder({ text: "Pay now please. ".repeat(15) }));
    expect(message.partCount).toBe(2);
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1, "part 1 at the modem");
    r.sender.release();
    await until(r.clock, () => r!.sender.calls === 2, "part 2 at the modem");
    // The service dies here: part 2 was handed to the modem, its outcome never recorded.
    const crashed = r.outbox;
    r.sender.hold = false;
    r.outbox = await r.reopen();
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted", "the message submitted");
    const sent = r.sender.sent.map((s) => concatOf(s.pdu));
    expect(sent).toHaveLength(2); // part 1 before the crash, part 2 after it (the crashed copy is at the modem)
    expect(sent[0]).toMatchObject({ index: 1, count: 2 });
    expect(sent[1]).toMatchObject({ index: 2, count: 2, reference: sent[0]!.reference });
    const m = r.outbox.get(message.id)!;
    expect(m.attempts.some((a) => a.outcome === "in-doubt")).toBe(true);
    r.sender.release();
    await crashed.stop();
  });

  it("a +CMGS answer lost for part 2 sends part 2 again with the same reference and sequence number", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 2 ? cmgsLost() : "ok");
    const { message } = await r.outbox.enqueue(reminder({ text: "Pay now please. ".repeat(15) }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 2, "part 2 tried");
    for (let i = 0; i < 20 && r.outbox.get(message.id)!.state !== "submitted"; i++) {
      await r.clock.advance(60_000); // past the retry delay
      await settle(r.clock, 3);
    }
    const m = r.outbox.get(message.id)!;
    expect(m.state).toBe("submitted");
    const sent = r.sender.sent.map((s) => concatOf(s.pdu));
    expect(sent).toHaveLength(2);
    expect(sent[1]).toMatchObject({ index: 2, count: 2, reference: sent[0]!.reference });
  });

  it("part 1 in doubt still follows outbox.inDoubt = fail", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 1 ? cmgsLost() : "ok");
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed", "failed in doubt");
    expect(r.outbox.get(message.id)!.failureReason).toMatch(/^in doubt/);
    expect(r.sender.sent).toHaveLength(0);
  });
});

describe("a part in doubt settled by evidence", () => {
  it("a delivery report for the recipient of a failed in-doubt part, within the window, marks it sent and the message delivered", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 1 ? cmgsLost() : "ok");
    const to = "+4917612345678";
    const { message } = await r.outbox.enqueue(reminder({ to }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed", "failed in doubt");
    await r.clock.advance(5_000);
    await r.outbox.onStatusReport(report(42, to));
    const m = r.outbox.get(message.id)!;
    expect(m.state).toBe("delivered");
    expect(m.parts[0]).toMatchObject({ reference: 42, status: "delivered" });
    expect(r.events.filter((e) => e.id === message.id).map((e) => e.state)).toEqual([
      "queued",
      "sending",
      "failed",
      "submitted",
      "delivered",
    ]);
  });

  it("is durable: after a restart the message is still delivered", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 1 ? cmgsLost() : "ok");
    const to = "+4917612345678";
    const { message } = await r.outbox.enqueue(reminder({ to }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed", "failed in doubt");
    await r.outbox.onStatusReport(report(7, to));
    await r.outbox.stop();
    r.outbox = await r.reopen();
    expect(r.outbox.get(message.id)!.state).toBe("delivered");
  });

  it("a report for another number, or after the window, settles nothing", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 1 ? cmgsLost() : "ok");
    const to = "+4917612345678";
    const { message } = await r.outbox.enqueue(reminder({ to }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed", "failed in doubt");
    await r.outbox.onStatusReport(report(42, "+4917699999999"));
    expect(r.outbox.get(message.id)!.state).toBe("failed");
    await r.clock.advance((r.config.deliveryReportWindowHours + 1) * 3_600_000);
    await r.outbox.onStatusReport(report(42, to));
    expect(r.outbox.get(message.id)!.state).toBe("failed");
  });
});
