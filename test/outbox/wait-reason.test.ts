/**
 * Why a queued message waits, asked of the real outbox (not started, so nothing leaves the
 * queue): the send loop's own checks answer, with the instant the reason ends.
 */
import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import { FakeSender, reminder, rig } from "./helpers.js";
import { ManualClock } from "../../src/core/clock.js";

const berlin = (iso: string) => DateTime.fromISO(iso, { zone: "Europe/Berlin" }).toMillis();

describe("Outbox.waitReason", () => {
  it("says a reminder queued at night waits for the send window, and when it opens", async () => {
    const r = await rig({ start: berlin("2026-03-10T23:30") });
    const { message } = await r.outbox.enqueue(reminder());
    const wait = r.outbox.waitReason(message);
    expect(wait).toEqual({ code: "send-window", text: "outside the send window", until: berlin("2026-03-11T08:00") });
    r.clock.set(berlin("2026-03-11T09:00"));
    expect(r.outbox.waitReason(message)?.code).toBe("in-line");
  });

  it("says the modem is down while the sender is not ready", async () => {
    const r = await rig({ start: berlin("2026-03-10T10:00") });
    const { message } = await r.outbox.enqueue(reminder());
    r.sender.ready = false;
    expect(r.outbox.waitReason(message)).toMatchObject({ code: "modem-down", text: "the modem is not ready" });
  });

  it("names the per-recipient limit once the number had its reminders this week", async () => {
    const r = await rig({ start: berlin("2026-03-10T10:00"), config: (c) => void (c.limits.perRecipientPerWeek = 1) });
    await r.outbox.start();
    const first = await r.outbox.enqueue(reminder({ to: "+4917600000077" }));
    for (let i = 0; i < 200 && r.outbox.get(first.message.id)?.state === "queued"; i++) {
      r.clock.advance(100);
      await new Promise((res) => setTimeout(res, 5));
    }
    expect(r.outbox.get(first.message.id)?.state).not.toBe("queued");
    await r.outbox.stop();
    r.outbox = await r.reopen(); // not started: the second one stays queued
    const { message } = await r.outbox.enqueue(reminder({ to: "+4917600000077" }));
    const wait = r.outbox.waitReason(message);
    expect(wait?.code).toBe("recipient-limit");
    expect(wait?.text).toBe("1 reminders to this number in the last 7 days");
    expect(wait?.until).toBeGreaterThan(r.clock.now());
  });

  it("gives the retry time after a failed attempt, and nothing for a message that does not wait", async () => {
    const r = await rig({ start: berlin("2026-03-10T10:00") });
    const { message } = await r.outbox.enqueue(reminder({ notBefore: berlin("2026-03-10T12:00") }));
    expect(r.outbox.waitReason(message)).toEqual({
      code: "not-before",
      text: "not before its planned time",
      until: berlin("2026-03-10T12:00"),
    });
    const backing = {
      ...message,
      nextAttemptAt: berlin("2026-03-10T10:05"),
      attempts: [{ at: r.clock.now(), outcome: "temporary" as const, reason: "network out of order" }],
    };
    expect(r.outbox.waitReason(backing)).toEqual({
      code: "retry-backoff",
      text: "retry after a failed attempt (network out of order)",
      until: berlin("2026-03-10T10:05"),
    });
    expect(r.outbox.waitReason({ ...message, state: "delivered" })).toBeUndefined();
  });

  it("in a modem pool, answers for the SIM nearest to sending: in line while one SIM is ready, modem down when none is", async () => {
    const clock = new ManualClock(berlin("2026-03-10T10:00"));
    const a = new FakeSender(clock);
    const b = new FakeSender(clock);
    const r = await rig({
      clock,
      lanes: [
        { id: "sim-a", sender: a, costPerPart: 0.09 },
        { id: "sim-b", sender: b, costPerPart: 0.09 },
      ],
    });
    const { message } = await r.outbox.enqueue(reminder());
    a.ready = false;
    expect(r.outbox.waitReason(message)?.code).toBe("in-line");
    b.ready = false;
    expect(r.outbox.waitReason(message)).toMatchObject({ code: "modem-down", text: "the modem is not ready" });
  });
});
