/**
 * The modem idles between two parts for one durable write, not two: the outcome of a part
 * (its TP-MR) and the next part's `sending` record are written side by side, and the next
 * PDU goes only when both are durable (docs/outbox.md, "Dispatch over a modem pool").
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { OutboxMessage } from "../../src/outbox/index.js";
import type { Queue } from "../../src/outbox/queue.js";
import { disposeRig, reminder, rig, settle, until, type Rig } from "./helpers.js";

let r: Rig | undefined;
/** Lets a held write go (also when an assertion failed while it was held). */
let releaseOutcome: () => void = () => undefined;
afterEach(async () => {
  releaseOutcome();
  await disposeRig(r);
  r = undefined;
});

const onDisk = async (dataDir: string, id: string): Promise<OutboxMessage | undefined> =>
  JSON.parse(await readFile(join(dataDir, "outbox", "active", `${id}.json`), "utf8").catch(() => "null")) as
    OutboxMessage | undefined;

describe("the write between two parts", () => {
  it("writes the next part's `sending` record while the last part's outcome is still being written, and sends it only after both", async () => {
    r = await rig();
    // The queue is the outbox's own (private): the test holds one write back to see what runs beside it.
    const q = (r.outbox as unknown as { q: Queue }).q;
    const first = (await r.outbox.enqueue(reminder({ to: "+4917612340001" }))).message;
    await r.outbox.enqueue(reminder({ to: "+4917612340002" }));
    const outcomeHeld = new Promise<void>((resolve) => (releaseOutcome = resolve));
    const writes: string[] = [];
    const persistMessage = q.persistMessage.bind(q);
    q.persistMessage = async (m: OutboxMessage) => {
      const outcome = m.parts.some((p) => p.reference !== undefined);
      writes.push(`${m.id === first.id ? "first" : "second"}:${outcome ? "outcome" : "sending"}`);
      if (m.id === first.id && outcome) await outcomeHeld;
      return persistMessage(m);
    };
    const send = r.sender.sendPart.bind(r.sender);
    const onDiskAtSend: Array<OutboxMessage | undefined> = [];
    r.sender.sendPart = async (part) => {
      if (r!.sender.calls === 1) onDiskAtSend.push(await onDisk(r!.dataDir, first.id));
      return send(part);
    };
    await r.outbox.start();
    await until(r.clock, () => writes.includes("second:sending"), "the second part's sending record");
    // The first part's outcome is still held: its write began before the next part's, and the next PDU waits.
    expect(writes).toEqual(["first:sending", "first:outcome", "second:sending"]);
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(1);
    releaseOutcome();
    await until(r.clock, () => r!.sender.sent.length === 2, "the second part");
    // When the second PDU was handed over, the first part's outcome was on disk.
    expect(onDiskAtSend[0]).toMatchObject({ state: "submitted" });
    expect(onDiskAtSend[0]!.parts[0]!.reference).toBe(0);
  });
});
