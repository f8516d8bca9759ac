/**
 * The sending order kept between picks (src/outbox/queue.ts, firstWaitingSms): work that joins
 * or moves up is seen at the next pick, and a change made behind the queue's back is seen
 * within a second at the latest.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Priority, type OutboxMessage } from "../../src/outbox/index.js";
import type { Queue } from "../../src/outbox/queue.js";
import { disposeRig, reminder, rig, type Rig } from "./helpers.js";

let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

const queueOf = (x: Rig): Queue => (x.outbox as unknown as { q: Queue }).q;
const to = (i: number): string => `+49176123${String(40_000 + i)}`;

describe("the waiting order kept between picks", () => {
  it("takes work in order, and sees a reply and an older message that join after the order was built", async () => {
    r = await rig();
    const q = queueOf(r);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await r.outbox.enqueue(reminder({ to: to(i) }))).message.id);
    expect(q.firstWaitingSms()?.id).toBe(ids[0]);
    // The first is taken (at the modem): the next pick goes on to the second without a rebuild.
    const first = q.firstWaitingSms()!;
    first.sendingPart = 1;
    q.setState(first, "sending");
    expect(q.firstWaitingSms()?.id).toBe(ids[1]);
    const reply = await r.outbox.enqueue({
      ...reminder({ to: to(9) }),
      priority: Priority.reply,
      limitClass: "reply",
    });
    expect(q.firstWaitingSms()?.id).toBe(reply.message.id);
    expect(q.replyDue(r.clock.now())).toBe(true);
  });

  it("a message put back in the queue is first again", async () => {
    r = await rig();
    const q = queueOf(r);
    const a = (await r.outbox.enqueue(reminder({ to: to(1) }))).message.id;
    const b = (await r.outbox.enqueue(reminder({ to: to(2) }))).message.id;
    const m = q.firstWaitingSms()!;
    expect(m.id).toBe(a);
    m.sendingPart = 1;
    q.setState(m, "sending");
    expect(q.firstWaitingSms()?.id).toBe(b);
    m.sendingPart = undefined; // not sent after all
    q.setState(m, "queued", "put back");
    expect(q.firstWaitingSms()?.id).toBe(a);
  });

  it("a change the queue was not told of is seen within a second", async () => {
    r = await rig();
    const q = queueOf(r);
    const a = (await r.outbox.enqueue(reminder({ to: to(1) }))).message;
    const b = (await r.outbox.enqueue(reminder({ to: to(2) }))).message;
    const live = (id: string): OutboxMessage => q.get(id)!;
    expect(q.firstWaitingSms()?.id).toBe(a.id);
    // Moved up without markDirty: the order kept is not rebuilt for it at once ...
    live(b.id).priority = Priority.direct;
    expect(q.firstWaitingSms()?.id).toBe(a.id);
    // ... but it is rebuilt a second later whatever happened.
    await r.clock.advance(1_000);
    expect(q.firstWaitingSms()?.id).toBe(b.id);
  });

  it("says there is nothing only after looking at the whole set again", async () => {
    r = await rig();
    const q = queueOf(r);
    const m = (await r.outbox.enqueue(reminder({ to: to(1) }))).message.id;
    const n = (await r.outbox.enqueue(reminder({ to: to(2) }))).message.id;
    const atModem = q.get(n)!;
    atModem.sendingPart = 1; // at the modem when the order is built, so not in it
    atModem.state = "sending";
    expect(q.firstWaitingSms()?.id).toBe(m);
    q.get(m)!.sendingPart = 1;
    q.setState(q.get(m)!, "sending"); // taken: the order kept is used up
    atModem.sendingPart = undefined; // back between parts, unannounced
    expect(q.firstWaitingSms()?.id).toBe(n);
  });
});
