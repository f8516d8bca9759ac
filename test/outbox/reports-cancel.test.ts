import { describe, it, expect, afterEach } from "vitest";
import { disposeRig, rig, reminder, until, type Rig } from "./helpers.js";

let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

const report = (reference: number, recipient: string, delivered = true, final = true) => ({
  type: "status-report" as const,
  reference,
  recipient,
  status: delivered ? 0 : final ? 0x41 : 0x20,
  scts: 0,
  discharge: Date.UTC(2026, 2, 10, 9, 5),
  outcome: {
    final,
    delivered,
    temporary: !final,
    text: delivered ? "delivered" : final ? "incompatible destination" : "congestion, still trying",
  },
});

describe("delivery reports", () => {
  it("a multipart message is delivered when every part is, across a TP-MR wrap (254, 255, 0)", async () => {
    r = await rig();
    r.sender.nextRef = 254;
    const { message } = await r.outbox.enqueue(reminder({ text: "Pay now. ".repeat(40) }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.outbox.get(message.id)!.parts.map((p) => p.reference)).toEqual([254, 255, 0]);
    await r.outbox.onStatusReport(report(0, "+4917612345678"));
    await r.outbox.onStatusReport(report(254, "4917612345678")); // an SMSC that drops the "+"
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
    await r.outbox.onStatusReport(report(255, "017612345678")); // national form
    const done = r.outbox.get(message.id)!;
    expect(done.state).toBe("delivered");
    expect(done.parts.every((p) => p.status === "delivered" && p.deliveredAt === Date.UTC(2026, 2, 10, 9, 5))).toBe(
      true,
    );
  });

  it("a reused reference goes to the most recent part still waiting for its report, for that number only", async () => {
    r = await rig();
    const old = await r.outbox.enqueue(reminder({ to: "+4917650000001" }));
    const other = await r.outbox.enqueue(reminder({ to: "+4917650000002" }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 2);
    await r.clock.advance(3_600_000);
    r.sender.nextRef = 0; // 256 submits later the modem hands out 0 again
    const recent = await r.outbox.enqueue(reminder({ to: "+4917650000001" }));
    await until(r.clock, () => r!.outbox.get(recent.message.id)!.state === "submitted");
    expect(r.outbox.get(old.message.id)!.parts[0]!.reference).toBe(0);
    expect(r.outbox.get(recent.message.id)!.parts[0]!.reference).toBe(0);
    await r.outbox.onStatusReport(report(0, "+4917650000001"));
    expect(r.outbox.get(recent.message.id)!.state).toBe("delivered");
    expect(r.outbox.get(old.message.id)!.state).toBe("submitted");
    await r.outbox.onStatusReport(report(0, "+4917650000001"));
    expect(r.outbox.get(old.message.id)!.state).toBe("delivered");
    await r.outbox.onStatusReport(report(1, "+4917650000009")); // nobody's
    expect(r.outbox.get(other.message.id)!.state).toBe("submitted");
  });

  it("a failure status fails the message with the reason; a temporary one leaves it waiting", async () => {
    r = await rig();
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    await r.outbox.onStatusReport(report(0, "+4917612345678", false, false));
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
    expect(r.outbox.get(message.id)!.parts[0]!.statusText).toBe("congestion, still trying");
    await r.outbox.onStatusReport(report(0, "+4917612345678", false, true));
    expect(r.outbox.get(message.id)!.state).toBe("failed");
    expect(r.outbox.get(message.id)!.failureReason).toContain("incompatible destination");
  });

  it("a part without a report by the end of the window stays submitted, marked, and leaves the hot set", async () => {
    r = await rig();
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    await r.clock.advance(72 * 3_600_000);
    await until(r.clock, () => r!.outbox.get(message.id)!.reportTimedOut === true && r!.outbox.stats().submitted === 0);
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
    expect(r.outbox.stats().submitted).toBe(0);
    await r.outbox.onStatusReport(report(0, "+4917612345678")); // too late: ignored
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
  });
});

describe("cancellation", () => {
  it("cancels queued messages by id, idempotency key, invoice and account", async () => {
    r = await rig();
    const a = await r.outbox.enqueue(reminder());
    const b = await r.outbox.enqueue(reminder());
    const c = await r.outbox.enqueue(
      reminder({
        origin: { kind: "dunning", accountId: "ACC", invoiceIds: ["INV-7", "INV-8"], step: "s", policyVersion: 1 },
      }),
    );
    const d = await r.outbox.enqueue(
      reminder({ origin: { kind: "dunning", accountId: "ACC2", invoiceIds: ["X"], step: "s", policyVersion: 1 } }),
    );
    expect((await r.outbox.cancel({ id: a.message.id }, "paid")).cancelled).toEqual([a.message.id]);
    expect((await r.outbox.cancel({ idempotencyKey: b.message.idempotencyKey }, "paid")).cancelled).toEqual([
      b.message.id,
    ]);
    expect((await r.outbox.cancel({ invoiceId: "INV-8" }, "paid")).cancelled).toEqual([c.message.id]);
    expect((await r.outbox.cancel({ accountId: "ACC2" }, "erased")).cancelled).toEqual([d.message.id]);
    expect((await r.outbox.cancel({ id: a.message.id }, "again")).cancelled).toEqual([]);
    expect(r.outbox.get(c.message.id)).toMatchObject({ state: "cancelled", failureReason: "paid" });
    await r.outbox.start();
    await r.clock.advance(1000);
    expect(r.sender.calls).toBe(0);
  });

  it("a message at the modem is not cancellable, and the caller is told its state", async () => {
    r = await rig();
    r.sender.hold = true;
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1);
    const res = await r.outbox.cancel({ id: message.id }, "paid");
    expect(res).toEqual({ cancelled: [], notCancellable: [{ id: message.id, state: "sending" }] });
    r.sender.release();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect((await r.outbox.cancel({ id: message.id }, "paid")).notCancellable).toEqual([
      { id: message.id, state: "submitted" },
    ]);
  });

  it("cancel racing the sender: either cancelled and never sent, or sent and reported not cancellable", async () => {
    for (let round = 0; round < 8; round++) {
      r = await rig();
      const { message } = await r.outbox.enqueue(reminder());
      await r.outbox.start();
      for (let i = 0; i < round; i++) await new Promise((res) => setImmediate(res));
      const res = await r.outbox.cancel({ id: message.id }, "paid");
      await r.clock.advance(0);
      await new Promise((res) => setTimeout(res, 20));
      await r.clock.advance(0);
      if (res.cancelled.length === 1) {
        expect(r.sender.calls).toBe(0);
        expect(r.outbox.get(message.id)!.state).toBe("cancelled");
      } else {
        expect(res.notCancellable[0]!.state).not.toBe("queued");
        await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
        expect(r.sender.calls).toBe(1);
      }
      await r.outbox.stop();
      r = undefined;
    }
  });

  it("a half-sent multipart message is not cancellable while it waits for a retry", async () => {
    r = await rig();
    const { cms } = await import("./helpers.js");
    r.sender.behaviour = (n) => (n === 2 ? cms(38, true) : "ok");
    const { message } = await r.outbox.enqueue(reminder({ text: "y".repeat(300) }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 2 && r!.outbox.get(message.id)!.nextAttemptAt !== undefined);
    const res = await r.outbox.cancel({ id: message.id }, "paid");
    expect(res.notCancellable).toEqual([{ id: message.id, state: "sending" }]);
    await r.clock.advance(60_000);
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.outbox.get(message.id)!.parts.map((p) => p.reference)).toEqual([0, 1]);
  });
});
