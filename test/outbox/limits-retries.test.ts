import { describe, it, expect, afterEach } from "vitest";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { Priority } from "../../src/outbox/index.js";
import { backoffMs } from "../../src/outbox/retry.js";
import { rig, reminder, until, settle, cms, outboxDefaults, type Rig } from "./helpers.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.outbox.stop();
  r = undefined;
});

const DAY = 86_400_000;
const far = (r: Rig): number => r.clock.now() + 30 * DAY;

describe("limits: a limited message waits, it is not failed", () => {
  it("per recipient per 7 days, with keyword replies counted apart", async () => {
    r = await rig({ config: (c) => (c.limits.perRecipientPerWeek = 2) });
    const to = "+4917611111111";
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await r.outbox.enqueue(reminder({ to, expiresAt: far(r) }))).message.id);
    const reply = await r.outbox.enqueue(
      reminder({
        to,
        priority: Priority.reply,
        limitClass: "reply",
        origin: { kind: "keyword-reply", inboundId: "in1", keyword: "BALANCE", accountIds: [] },
      }),
    );
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 3);
    await settle(r.clock, 3);
    expect(r.outbox.get(reply.message.id)!.state).toBe("submitted");
    expect(r.outbox.get(ids[2]!)!.state).toBe("queued");
    await until(r.clock, () => r!.outbox.waitingFor?.includes("reminders to this number") === true);
    await r.clock.advance(7 * DAY);
    await until(r.clock, () => r!.outbox.get(ids[2]!)!.state === "submitted");
  });

  it("per SIM per day (parts), resuming when the local day turns", async () => {
    r = await rig({ config: (c) => (c.limits.perSimPerDay = 3) });
    for (let i = 0; i < 4; i++) await r.outbox.enqueue(reminder({ to: `+491761000000${i}`, expiresAt: far(r) }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 3);
    await settle(r.clock, 3);
    expect(r.sender.sent).toHaveLength(3);
    expect(r.outbox.stats().queued).toBe(1);
    await r.clock.set(Date.UTC(2026, 2, 11, 7, 0)); // 08:00 Berlin the next day (midnight is outside the window)
    await until(r.clock, () => r!.sender.sent.length === 4);
    expect(r.outbox.stats().partsToday).toBe(1);
  });

  it("per SIM per month, persisted across a restart", async () => {
    r = await rig({ config: (c) => (c.limits.perSimPerMonth = 2) });
    for (let i = 0; i < 2; i++) await r.outbox.enqueue(reminder({ to: `+491762000000${i}` }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 2);
    await r.outbox.stop();
    r.outbox = await r.reopen();
    await r.outbox.enqueue(reminder({ to: "+4917620000009", expiresAt: far(r) }));
    await r.outbox.start();
    await settle(r.clock, 5);
    expect(r.sender.sent).toHaveLength(2);
    expect(r.outbox.stats().partsThisMonth).toBe(2);
    await r.clock.set(Date.UTC(2026, 3, 1, 7, 0)); // 1 April, 09:00 CEST
    await until(r.clock, () => r!.sender.sent.length === 3);
  });

  it("per minute: the next part waits for the minute to pass", async () => {
    r = await rig({ config: (c) => (c.limits.perMinute = 2) });
    for (let i = 0; i < 3; i++) await r.outbox.enqueue(reminder({ to: `+491763000000${i}` }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.sent.length === 2);
    await settle(r.clock, 3);
    expect(r.sender.sent).toHaveLength(2);
    await r.clock.advance(60_000);
    await until(r.clock, () => r!.sender.sent.length === 3);
    expect(r.sender.sent[2]!.at - r.sender.sent[0]!.at).toBe(60_000);
  });

  it("waits outside the window and sends at the opening", async () => {
    r = await rig({ start: Date.UTC(2026, 2, 10, 21, 0) }); // 22:00 Berlin
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await settle(r.clock, 3);
    expect(r.sender.calls).toBe(0);
    await r.clock.set(Date.UTC(2026, 2, 11, 7, 0));
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.sender.sent[0]!.at).toBe(Date.UTC(2026, 2, 11, 7, 0));
  });

  it("keyword replies skip the window by default", async () => {
    r = await rig({ start: Date.UTC(2026, 2, 10, 21, 0) });
    const { message } = await r.outbox.enqueue(reminder({ priority: Priority.reply, limitClass: "reply" }));
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
  });
});

describe("retries", () => {
  it("backoff doubles from the base, capped, with the jitter fraction random", () => {
    const cfg = { ...outboxDefaults().retry, baseDelayMs: 1000, maxDelayMs: 5000, jitter: 0.5 };
    expect([1, 2, 3, 4].map((n) => backoffMs(n, cfg, () => 1))).toEqual([1000, 2000, 4000, 5000]);
    expect(backoffMs(2, cfg, () => 0)).toBe(1000);
  });

  it("a temporary CMS error backs off (exponentially) and then succeeds; others are not held up", async () => {
    r = await rig();
    const a = await r.outbox.enqueue(reminder({ to: "+4917640000001" }));
    r.sender.behaviour = (n) => (n === 1 || n === 3 ? cms(38, true) : "ok"); // call 2 is the other recipient
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1);
    const b = await r.outbox.enqueue(reminder({ to: "+4917640000002" }));
    await until(
      r.clock,
      () =>
        r!.outbox.get(b.message.id)!.state === "submitted" && r!.outbox.get(a.message.id)!.nextAttemptAt !== undefined,
    );
    const first = r.outbox.get(a.message.id)!;
    expect(first.state).toBe("queued");
    expect(first.nextAttemptAt! - first.attempts[0]!.at).toBe(22_500); // 30 s * (0.5 + 0.5 * 0.5)
    await r.clock.advance(22_500);
    await until(r.clock, () => r!.outbox.get(a.message.id)!.attempts.length === 2);
    const second = r.outbox.get(a.message.id)!;
    expect(second.nextAttemptAt! - second.attempts[1]!.at).toBe(45_000);
    await r.clock.advance(44_999);
    await settle(r.clock, 3);
    expect(r.outbox.get(a.message.id)!.state).toBe("queued");
    await r.clock.advance(1);
    await until(r.clock, () => r!.outbox.get(a.message.id)!.state === "submitted");
    expect(r.outbox.get(a.message.id)!.attempts.map((x) => x.outcome)).toEqual(["temporary", "temporary", "submitted"]);
  });

  it("a permanent error fails at once with the reason", async () => {
    r = await rig();
    r.sender.behaviour = cms(21, false);
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed");
    expect(r.sender.calls).toBe(1);
    expect(r.outbox.get(message.id)!.failureReason).toBe("+CMS ERROR 21: call barred");
  });

  it("gives up after maxAttempts temporary failures", async () => {
    r = await rig({ config: (c) => ((c.retry.maxAttempts = 3), (c.retry.baseDelayMs = 1000)) });
    r.sender.behaviour = new DuegateError(ErrorCode.ModemNoNetwork, "no network");
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    for (let i = 1; i <= 3; i++) {
      await until(
        r.clock,
        () => r!.sender.calls === i && r!.outbox.get(message.id)!.state !== "sending",
        `attempt ${i}`,
      );
      await r.clock.advance(10_000);
    }
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "failed");
    expect(r.outbox.get(message.id)!.failureReason).toBe("gave up after 3 attempts: no network");
    expect(r.sender.calls).toBe(3);
  });

  it("expiry ends retries", async () => {
    r = await rig();
    r.sender.behaviour = cms(38, true);
    const { message } = await r.outbox.enqueue(reminder({ expiresAt: r.clock.now() + 10_000 }));
    await r.outbox.start();
    await until(r.clock, () => r!.sender.calls === 1);
    await r.clock.advance(60_000);
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "expired");
    expect(r.sender.calls).toBe(1);
  });

  it("a modem that is not ready costs no attempts", async () => {
    r = await rig();
    r.sender.ready = false;
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await r.clock.advance(10_000);
    await settle(r.clock, 3);
    expect(r.sender.calls).toBe(0);
    expect(r.outbox.waitingFor).toBe("modem not ready");
    r.sender.ready = true;
    await r.clock.advance(2_000);
    await until(r.clock, () => r!.outbox.get(message.id)!.state === "submitted");
    expect(r.outbox.get(message.id)!.attempts).toHaveLength(1);
  });
});
