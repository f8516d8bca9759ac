/**
 * A pool's SIMs change while the outbox runs (src/outbox/index.ts addLane, removeLane,
 * setLanePresence): the sweeper's pass goes on in another loop when the SIM whose loop ran it
 * is removed, a SIM added while running sends at once and holds for a keyword reply announced
 * on it, and a SIM plugged in again is not held by the pause its pulling caused.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { FakeSender, reminder, rig, settle, until, type Rig } from "./helpers.js";

let r: Rig | undefined;
afterEach(async () => {
  await r?.outbox.stop();
  r = undefined;
});

async function pool(ids: string[]) {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
  const senders = new Map(ids.map((id) => [id, new FakeSender(clock)]));
  r = await rig({
    clock,
    lanes: ids.map((id) => ({ id, sender: senders.get(id)!, costPerPart: 9 })),
  });
  return { r, senders };
}

describe("lanes that change while the outbox runs", () => {
  it("sweeps expiries in another loop once the SIM whose loop swept is removed", async () => {
    const { r, senders } = await pool(["a", "b"]);
    senders.get("b")!.ready = false; // nothing is sent: only the sweeper can end the message
    await r.outbox.start();
    await r.outbox.removeLane("a");
    const { message } = await r.outbox.enqueue(reminder({ expiresAt: r.clock.now() + 60_000 }));
    await r.clock.advance(120_000);
    await until(r.clock, () => r.outbox.get(message.id)!.state === "expired", "the message expired");
    expect(senders.get("b")!.calls).toBe(0);
  });

  it("starts a SIM added while running at once, with its own hold for a keyword reply", async () => {
    const { r, senders } = await pool(["a", "b"]);
    senders.get("a")!.ready = false;
    senders.get("b")!.ready = false;
    await r.outbox.start();
    const c = new FakeSender(r.clock);
    r.outbox.addLane({ id: "c", sender: c, costPerPart: 9 });
    expect(r.outbox.simStatus().map((s) => s.id)).toEqual(["a", "b", "c"]);
    // An SMS announced on c holds c's reminders (its hold comes from the reply-first path).
    r.outbox.holdForReply("c");
    const { message } = await r.outbox.enqueue(reminder());
    expect(r.outbox.waitReason(message)?.code).toBe("reply-hold");
    r.outbox.releaseReplyHold();
    await until(r.clock, () => c.sent.length === 1, "the reminder sent through c");
    expect(r.outbox.get(message.id)!.modemId).toBe("c");
  });

  it("takes an unplugged SIM out of rotation, and back without the pause its pulling caused", async () => {
    const { r, senders } = await pool(["a", "b"]);
    const a = senders.get("a")!;
    senders.get("b")!.ready = false;
    // The modem fails as it is pulled, before AT+CMGS: a failure of the modem, which pauses its lane.
    a.behaviour = (n) =>
      n === 1 ? new DuegateError(ErrorCode.ModemUnplugged, "the modem's port went away", {}) : "ok";
    await r.outbox.start();
    const first = await r.outbox.enqueue(reminder());
    await until(r.clock, () => a.calls === 1, "a's failing part");
    r.outbox.setLanePresence("a", false);
    expect(r.outbox.simStatus().find((s) => s.id === "a")).toMatchObject({ inRotation: false, reason: "unplugged" });
    await settle(r.clock);
    expect(a.calls).toBe(1);
    r.outbox.setLanePresence("a", true);
    expect(r.outbox.simStatus().find((s) => s.id === "a")).toMatchObject({ inRotation: true });
    // At the same instant: not held until outbox.retry.modemPauseMs has passed.
    const second = await r.outbox.enqueue(reminder({ to: "+4917600000042" }));
    await until(r.clock, () => a.sent.length === 1, "a sends again");
    await until(r.clock, () => r.outbox.get(second.message.id)!.state === "submitted", "the reminder sent through a");
    expect(r.outbox.get(first.message.id)!.state).not.toBe("sending");
  });
});
