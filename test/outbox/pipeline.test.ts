/**
 * The modem idles between two parts for one durable write, not two: the outcome of a part
 * (its TP-MR) and the next part's `sending` record go in one write (one directory fsync), and
 * the next PDU goes only when it is durable (docs/outbox.md, "Dispatch over a modem pool").
 */
import { afterEach, describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../src/outbox/index.js";
import type { Queue } from "../../src/outbox/queue.js";
import { disposeRig, reminder, rig, settle, until, type Rig } from "./helpers.js";
import { activeRecordOnDisk } from "../support/outbox-disk.js";

let r: Rig | undefined;
/** Lets a held write go (also when an assertion failed while it was held). */
let releaseOutcome: () => void = () => undefined;
afterEach(async () => {
  releaseOutcome();
  await disposeRig(r);
  r = undefined;
});

const onDisk = activeRecordOnDisk;

describe("the write between two parts", () => {
  it("writes a part's outcome together with the next part's `sending` record, in one write, and sends the next part only after it", async () => {
    r = await rig();
    // The queue is the outbox's own (private): the test holds one write back to see what waits for it.
    const q = (r.outbox as unknown as { q: Queue }).q;
    const first = (await r.outbox.enqueue(reminder({ to: "+4917612340001" }))).message;
    await r.outbox.enqueue(reminder({ to: "+4917612340002" }));
    const outcomeHeld = new Promise<void>((resolve) => (releaseOutcome = resolve));
    const writes: string[][] = [];
    const persistMessage = q.persistMessage.bind(q);
    q.persistMessage = async (...ms: OutboxMessage[]) => {
      const labels = ms.map(
        (m) =>
          `${m.id === first.id ? "first" : "second"}:${m.parts.some((p) => p.reference !== undefined) ? "outcome" : "sending"}`,
      );
      writes.push(labels);
      if (labels.includes("first:outcome")) await outcomeHeld;
      return persistMessage(...ms);
    };
    const send = r.sender.sendPart.bind(r.sender);
    const onDiskAtSend: Array<OutboxMessage | undefined> = [];
    r.sender.sendPart = async (part) => {
      if (r!.sender.calls === 1) onDiskAtSend.push(await onDisk(r!.dataDir, first.id));
      return send(part);
    };
    await r.outbox.start();
    await until(r.clock, () => writes.length === 2, "the second write");
    // One write for the first part's outcome and the second part's `sending` record; the second PDU waits for it.
    expect(writes).toEqual([["first:sending"], ["second:sending", "first:outcome"]]);
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(1);
    releaseOutcome();
    await until(r.clock, () => r!.sender.sent.length === 2, "the second part");
    // When the second PDU was handed over, the first part's outcome was on disk.
    expect(onDiskAtSend[0]).toMatchObject({ state: "submitted" });
    expect(onDiskAtSend[0]!.parts[0]!.reference).toBe(0);
  });
});
