/**
 * The reply-first object alone (src/outbox/reply-first.ts): its states per lane (free,
 * holding, free again when answered or when the hold runs out) and the order in which the
 * lanes are asked to claim a reply. Lanes are stand-ins here; test/outbox/reply-first.test.ts
 * runs the same path through a real outbox and its send loops.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { ReplyFirst, type ReplyLane } from "../../src/outbox/reply-first.js";
import type { OutboxMessage } from "../../src/outbox/index.js";

class StandInLane implements ReplyLane {
  wakes = 0;
  /** Whether this lane's loop is free and would pick the reply now. */
  free = false;
  claims: string[] = [];
  constructor(readonly laneId: string) {}
  claim(m: OutboxMessage, admit: () => Promise<void>): Promise<void> | undefined {
    this.claims.push(m.id);
    return this.free ? admit() : undefined;
  }
  wake(): void {
    this.wakes++;
  }
}

const message = (id: string, to = "+4917655500001"): OutboxMessage => ({ id, to }) as OutboxMessage;

function setup(holdMs = 300, sticky: Record<string, string> = {}) {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
  const lanes = [new StandInLane("sim-a"), new StandInLane("sim-b")];
  const first = new ReplyFirst({
    clock,
    holdMs: () => holdMs,
    lanes: () => lanes,
    stickyLaneId: (to) => sticky[to],
  });
  return { clock, lanes, first };
}

describe("the reply-first path, state by state", () => {
  it("is free until an SMS is announced; then only the lane of that SIM holds", () => {
    const { lanes, first } = setup();
    expect(first.heldUntil("sim-a")).toBeUndefined();
    first.announce("sim-b");
    expect(first.heldUntil("sim-a")).toBeUndefined();
    expect(first.heldUntil("sim-b")).toBe(Date.UTC(2026, 2, 10, 9, 0) + 300);
    expect(lanes.map((l) => l.wakes)).toEqual([0, 0]);
  });

  it("holds every lane when the SIM the SMS came in on is not known", () => {
    const { first } = setup();
    first.announce();
    first.announce("no-such-sim");
    expect(first.heldUntil("sim-a")).toBeDefined();
    expect(first.heldUntil("sim-b")).toBeDefined();
  });

  it("is free again, and wakes the lane, once every announced SMS is answered", () => {
    const { lanes, first } = setup();
    first.announce("sim-a");
    first.announce("sim-a"); // two SMS in quick succession
    first.release();
    expect(first.heldUntil("sim-a")).toBeDefined(); // one still to answer
    expect(lanes[0]!.wakes).toBe(0);
    first.release();
    expect(first.heldUntil("sim-a")).toBeUndefined();
    expect(lanes[0]!.wakes).toBe(1);
    first.release(); // a release with nothing held changes nothing
    expect(lanes[0]!.wakes).toBe(1);
  });

  it("ends the hold by itself after outbox.replyHoldMs when the answer never comes", async () => {
    const { clock, first } = setup(300);
    first.announce("sim-a");
    await clock.advance(299);
    expect(first.heldUntil("sim-a")).toBeDefined();
    await clock.advance(1);
    expect(first.heldUntil("sim-a")).toBeUndefined();
  });

  it("never holds when outbox.replyHoldMs is 0", () => {
    const { first } = setup(0);
    first.announce("sim-a");
    expect(first.heldUntil("sim-a")).toBeUndefined();
  });

  it("lets the lane the number wrote to claim the reply first; its write is the one admission", async () => {
    const { lanes, first } = setup(300, { "+4917655500001": "sim-b" });
    lanes[0]!.free = true;
    lanes[1]!.free = true;
    let writes = 0;
    first.announce("sim-b");
    await first.admit(message("msg-1"), async () => void writes++);
    expect(lanes[1]!.claims).toEqual(["msg-1"]);
    expect(lanes[0]!.claims).toEqual([]); // sim-b took it: sim-a was not asked
    expect(writes).toBe(1);
    expect(first.heldUntil("sim-b")).toBeUndefined(); // the reply answered the announcement
  });

  it("asks the lanes in turn, and writes the reply as any message when none is free to claim it", async () => {
    const { lanes, first } = setup();
    let writes = 0;
    first.announce("sim-a");
    await first.admit(message("msg-2"), async () => void writes++);
    expect(lanes.map((l) => l.claims)).toEqual([["msg-2"], ["msg-2"]]);
    expect(writes).toBe(1);
    expect(first.heldUntil("sim-a")).toBeUndefined();
    expect(lanes[0]!.wakes).toBe(1);
  });

  it("gives each lane one hold, the one its send loop reads", () => {
    const { first } = setup();
    expect(first.holdOf("sim-a")).toBe(first.holdOf("sim-a"));
    expect(first.holdOf("sim-a")).not.toBe(first.holdOf("sim-b"));
    first.holdOf("sim-a").pending(Date.UTC(2026, 2, 10, 9, 0));
    expect(first.heldUntil("sim-a")).toBeDefined();
  });
});
