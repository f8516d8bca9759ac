import { describe, it, expect, afterEach } from "vitest";
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";
import { Priority } from "../../src/outbox/index.js";
import { decodePdu } from "../../src/sms/index.js";
import { disposeRig, rig, reminder, settle, until, cms, type Rig } from "./helpers.js";
import { activeOnDisk } from "../support/outbox-disk.js";

let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

const report = (reference: number, recipient: string, delivered = true) => ({
  type: "status-report" as const,
  reference,
  recipient,
  status: delivered ? 0 : 0x41,
  scts: 0,
  discharge: 0,
  outcome: { final: true, delivered, temporary: false, text: delivered ? "delivered" : "incompatible destination" },
});

describe("Outbox: states", () => {
  it("queued -> sending -> submitted -> delivered, each change on the bus, then moved to history", async () => {
    r = await rig();
    const { message } = await r.outbox.enqueue(reminder({ to: "0176 12345678" }));
    expect(message.to).toBe("+4917612345678");
    expect(message.state).toBe("queued");
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.sender.sent).toHaveLength(1);
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
    await r.outbox.onStatusReport(report(0, "+4917612345678"));
    expect(r.outbox.get(message.id)!.state).toBe("delivered");
    expect(r.events.filter((e) => e.id === message.id).map((e) => e.state)).toEqual([
      "queued",
      "sending",
      "submitted",
      "delivered",
    ]);
    expect([...(await activeOnDisk(r.dataDir)).keys()]).toEqual([]);
    const hist = await readdir(join(r.dataDir, "history"));
    expect(hist).toEqual(["outbox-2026-03-10.jsonl"]);
  });

  it("refuses an invalid number at enqueue with the input masked", async () => {
    r = await rig();
    const err = await r.outbox.enqueue(reminder({ to: "+49 123" })).catch((e: unknown) => e);
    expect(isDuegateError(err, ErrorCode.InvalidNumber)).toBe(true);
    const err2 = await r.outbox.enqueue(reminder({ to: "+1 555 010 99" })).catch((e: unknown) => e);
    expect(isDuegateError(err2, ErrorCode.InvalidNumber)).toBe(true);
    expect((err2 as Error).message).not.toContain("55501099");
    expect((err2 as { context: { input: string } }).context.input).toMatch(/^\+155\*+99$/);
    expect(r.outbox.list().total).toBe(0);
  });

  it("returns the same message for a repeated idempotency key, even concurrently", async () => {
    r = await rig();
    const req = reminder();
    const [a, b] = await Promise.all([r.outbox.enqueue(req), r.outbox.enqueue(req)]);
    expect(a.status).toBe("queued");
    expect(b.status).toBe("duplicate");
    expect(b.message.id).toBe(a.message.id);
    expect(r.outbox.list().total).toBe(1);
  });

  it("remembers idempotency keys across a restart, also of finished messages", async () => {
    r = await rig();
    const req = reminder();
    const { message } = await r.outbox.enqueue(req);
    await r.outbox.cancel({ id: message.id }, "paid");
    await r.outbox.stop();
    const again = await r.reopen();
    r.outbox = again;
    const res = await again.enqueue(req);
    expect(res.status).toBe("duplicate");
    expect(res.message.state).toBe("cancelled");
  });

  it("sends by priority, then age", async () => {
    r = await rig();
    r.sender.hold = true;
    const bulk = await r.outbox.enqueue(reminder({ priority: Priority.bulk, to: "+4917600000001" }));
    await r.clock.advance(1);
    const rem = await r.outbox.enqueue(reminder({ to: "+4917600000002" }));
    await r.clock.advance(1);
    const rem2 = await r.outbox.enqueue(reminder({ to: "+4917600000003" }));
    const reply = await r.outbox.enqueue(
      reminder({ priority: Priority.reply, limitClass: "reply", to: "+4917600000004" }),
    );
    await r.outbox.start();
    const order: string[] = [];
    for (let i = 0; i < 4; i++) {
      await until(r.clock, () => r!.sender.calls === i + 1, `call ${i + 1}`);
      const sending = r.outbox.list({ state: "sending" }).items;
      expect(sending).toHaveLength(1);
      order.push(sending[0]!.id);
      r.sender.release();
    }
    expect(order).toEqual([reply.message.id, rem.message.id, rem2.message.id, bulk.message.id]);
  });

  it("sends the parts of a long message in order with one concatenation reference and counts them", async () => {
    r = await rig();
    const text = "Reminder: ".repeat(40); // 400 GSM-7 characters: 3 parts
    const { message } = await r.outbox.enqueue(reminder({ text }));
    expect(message.partCount).toBe(3);
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.sender.sent).toHaveLength(3);
    const udh = r.sender.sent.map((s) => /050003([0-9A-F]{2})03(0[1-3])/.exec(s.pdu)!.slice(1));
    expect(udh.map((u) => u[1])).toEqual(["01", "02", "03"]);
    expect(new Set(udh.map((u) => u[0])).size).toBe(1);
    expect(r.outbox.stats().partsToday).toBe(3);
    expect(r.outbox.get(message.id)!.parts.map((p) => p.reference)).toEqual([0, 1, 2]);
  });

  it("hands the modem PDUs that decode to the recipient and the text (codec round trip)", async () => {
    r = await rig();
    const text = "Rechnung fällig: bitte zahlen. ".repeat(8);
    const { message } = await r.outbox.enqueue(reminder({ text, to: "0176 5555 4444" }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    const decoded = r.sender.sent.map((s) => decodePdu(s.pdu));
    expect(decoded).toHaveLength(message.partCount);
    let joined = "";
    for (const d of decoded) {
      if (d.type !== "submit") throw new Error("not a submit");
      expect(d.to).toBe("+4917655554444");
      expect(d.statusReport).toBe(true);
      expect(d.concat?.reference).toBe(decoded[0]!.type === "submit" ? decoded[0]!.concat?.reference : -1);
      joined += d.text;
    }
    expect(joined).toBe(text);
  });

  it("never gives two multipart messages the same concatenation reference, across a restart", async () => {
    r = await rig();
    const text = "x".repeat(200);
    await r.outbox.enqueue(reminder({ text, to: "+4917600000001" }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 2);
    await r.outbox.stop();
    r.outbox = await r.reopen();
    await r.outbox.enqueue(reminder({ text, to: "+4917600000001" }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 4);
    const refs = r.sender.sent.map((s) => /050003([0-9A-F]{2})02/.exec(s.pdu)![1]);
    expect(refs).toHaveLength(4);
    expect(refs[0]).toBe(refs[1]);
    expect(refs[2]).toBe(refs[3]);
    expect(refs[0]).not.toBe(refs[2]);
  });

  it("expires a message not sent before its expiry", async () => {
    r = await rig();
    r.sender.ready = false;
    const { message } = await r.outbox.enqueue(reminder({ expiresAt: r.clock.now() + 60_000 }));
    await r.outbox.start();
    await r.clock.advance(120_000);
    await settle(r.clock);
    expect(r.outbox.get(message.id)!.state).toBe("expired");
    expect(r.sender.calls).toBe(0);
  });

  it("never sends a message past its expiry in the second before the sweeper's next pass", async () => {
    r = await rig();
    await r.outbox.start();
    await settle(r.clock); // the sweeper's pass over an empty queue: it looks again at most a second later
    await r.clock.advance(300);
    const { message } = await r.outbox.enqueue(reminder({ expiresAt: r.clock.now() - 1 }));
    await settle(r.clock);
    expect(r.sender.calls).toBe(0);
    expect(r.outbox.get(message.id)!.state).toBe("queued"); // not yet swept
    await r.clock.advance(1_000);
    await settle(r.clock);
    expect(r.outbox.get(message.id)!.state).toBe("expired");
    expect(r.sender.calls).toBe(0);
  });

  it("lists by state, number, account and date, with paging; stats count today", async () => {
    r = await rig();
    for (let i = 0; i < 5; i++) await r.outbox.enqueue(reminder({ to: `+49176000000${10 + i}` }));
    const one = await r.outbox.enqueue(
      reminder({ to: "+4917699999999", origin: { kind: "api", requestedBy: "t", accountId: "A-1" } }),
    );
    expect(r.outbox.list({ number: "017699999999" }).items.map((m) => m.id)).toEqual([one.message.id]);
    expect(r.outbox.list({ accountId: "A-1" }).total).toBe(1);
    expect(r.outbox.list({ state: "queued", limit: 2, offset: 1 }).items).toHaveLength(2);
    expect(r.outbox.list({ since: r.clock.now() + 1 }).total).toBe(0);
    expect(r.outbox.stats().queued).toBe(6);
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.stats().submitted === 6);
    const s = r.outbox.stats();
    expect(s).toMatchObject({ queued: 0, submitted: 6, sentToday: 6, partsToday: 6, partsThisMonth: 6 });
  });

  it("retry(id) sends a failed message again; other states are refused", async () => {
    r = await rig();
    r.sender.behaviour = (n) => (n === 1 ? cms(21, false) : "ok");
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed");
    expect(r.outbox.get(message.id)!.failureReason).toContain("+CMS ERROR 21");
    const again = await r.outbox.retry(message.id);
    expect(again.state).toBe("queued");
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.outbox.get(message.id)!.state).toBe("submitted");
    await expect(r.outbox.retry(message.id)).rejects.toMatchObject({ code: ErrorCode.Validation });
    await expect(r.outbox.retry("msg_nope")).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});
