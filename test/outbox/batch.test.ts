import { describe, it, expect, afterEach, vi } from "vitest";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";
import { RecordLog } from "../../src/store/record-log.js";
import { History } from "../../src/store/history.js";
import { resetStoreIoStats, storeIoStats } from "../../src/store/io-stats.js";
import { decodePdu } from "../../src/sms/index.js";
import type { EnqueueOutcome, EnqueueRequest, Outbox } from "../../src/outbox/index.js";
import { rig, reminder, until, type Rig } from "./helpers.js";
import { activeOnDisk } from "../support/outbox-disk.js";

let r: Rig | undefined;
const others: Outbox[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const o of others.splice(0)) await o.stop();
  await r?.outbox.stop();
  r = undefined;
});

const number = (i: number): string => `+49176${String(20_000_000 + i)}`;
const batch = (n: number, from = 0): EnqueueRequest[] =>
  Array.from({ length: n }, (_, i) => reminder({ to: number(from + i), text: `Reminder ${from + i}: please pay.` }));
const idOf = (o: EnqueueOutcome | undefined): string => (o && o.status !== "refused" ? o.message.id : "");
const activeFiles = async (dataDir: string): Promise<string[]> => [...(await activeOnDisk(dataDir)).keys()];

async function keyLines(dataDir: string): Promise<Array<{ k: string; id: string }>> {
  const dir = join(dataDir, "outbox");
  const out: Array<{ k: string; id: string }> = [];
  for (const f of (await readdir(dir)).filter((n) => n.startsWith("outbox-keys-"))) {
    for (const line of (await readFile(join(dir, f), "utf8")).split("\n").filter(Boolean))
      out.push((JSON.parse(line) as { record: { k: string; id: string } }).record);
  }
  return out;
}

describe("Outbox.enqueueMany", () => {
  it("answers each request as enqueue would: queued, refused (that one only), duplicate (known or earlier in the batch)", async () => {
    r = await rig();
    const known = await r.outbox.enqueue(reminder({ to: number(99) }));
    const a = reminder({ to: number(1) });
    const reqs = [
      a,
      reminder({ to: "+49 123" }),
      reminder({ to: number(2) }),
      reminder({ idempotencyKey: known.message.idempotencyKey, to: number(3) }),
      { ...a, text: "another text, same key" },
      reminder({ text: "" }),
      reminder({ to: number(4), timeZones: ["Mars/Olympus"] }),
    ];
    const out = await r.outbox.enqueueMany(reqs);
    expect(out.map((o) => o.status)).toEqual([
      "queued",
      "refused",
      "queued",
      "duplicate",
      "duplicate",
      "refused",
      "refused",
    ]);
    const refused = out
      .filter((o) => o.status === "refused")
      .map((o) => (o.status === "refused" ? o.error : undefined));
    expect(isDuegateError(refused[0], ErrorCode.InvalidNumber)).toBe(true);
    expect(refused[0]!.message).toMatch(/number/i);
    expect(isDuegateError(refused[1], ErrorCode.Validation)).toBe(true);
    expect(refused[2]!.message).toMatch(/time zone/);
    expect(idOf(out[3])).toBe(known.message.id);
    expect(idOf(out[4])).toBe(idOf(out[0]));
    expect(out[0]!.status === "queued" && out[0]!.message.to).toBe(number(1));
    // Only the two new ones were admitted.
    expect(r.outbox.list().total).toBe(3);
    expect(await activeFiles(r.dataDir)).toHaveLength(3);
    // A second time: every valid one is a duplicate, the invalid ones are refused again.
    const again = await r.outbox.enqueueMany(reqs);
    expect(again.map((o) => o.status)).toEqual([
      "duplicate",
      "refused",
      "duplicate",
      "duplicate",
      "duplicate",
      "refused",
      "refused",
    ]);
    expect(idOf(again[2])).toBe(idOf(out[2]));
    expect(await r.outbox.enqueueMany([])).toEqual([]);
  });

  it("is durable when it resolves: another outbox opened on the same directory finds every message; one key append for the batch", async () => {
    r = await rig();
    const reqs = batch(200);
    resetStoreIoStats();
    const out = await r.outbox.enqueueMany(reqs);
    const io = storeIoStats();
    expect(out.every((o) => o.status === "queued")).toBe(true);
    expect(io.appends).toBe(2); // all 200 key lines in one write, all 200 records in one append to the journal
    expect(io.fileWrites).toBe(0);
    // One per append whatever the batch's size, + the directory's for each file the append created.
    expect(io.fsyncs).toBeLessThanOrEqual(4);
    // Not stopped (nothing flushed on close): what is on disk now is what a power cut would leave.
    const second = await r.reopen();
    others.push(second);
    for (const [i, req] of reqs.entries()) expect(second.byIdempotencyKey(req.idempotencyKey)?.id).toBe(idOf(out[i]));
    expect((await keyLines(r.dataDir)).map((l) => l.k)).toEqual(reqs.map((q) => q.idempotencyKey));
  });

  it("keeps the order given for the sender, and sends nothing twice", async () => {
    r = await rig({ config: (c) => Object.assign(c.limits, { perMinute: 1000, perSimPerDay: 1000 }) });
    await r.outbox.start();
    const reqs = batch(12, 100);
    await r.outbox.enqueueMany(reqs);
    await until(r.clock, () => r!.sender.sent.length >= 12, "12 parts sent");
    const texts = r.sender.sent.map((s) => (decodePdu(s.pdu) as { text: string }).text);
    expect(texts).toEqual(reqs.map((q) => q.text));
  });

  it("a record write that fails rejects the batch: nothing is acknowledged, sent or left behind, and a retry after a restart admits all", async () => {
    r = await rig({ config: (c) => Object.assign(c.limits, { perMinute: 1000, perSimPerDay: 1000 }) });
    await r.outbox.start();
    const reqs = batch(40, 200);
    vi.spyOn(RecordLog.prototype, "append").mockRejectedValueOnce(new Error("EIO: card write failed (test)"));
    const err = await r.outbox.enqueueMany(reqs).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    vi.restoreAllMocks();
    for (const q of reqs) expect(r.outbox.byIdempotencyKey(q.idempotencyKey)).toBeUndefined();
    expect(r.outbox.list().total).toBe(0);
    expect(await activeFiles(r.dataDir)).toEqual([]); // the records that did reach the disk were removed
    expect(r.sender.calls).toBe(0); // none of the batch was picked while its write was under way
    // The key lines were written: orphans. After a restart they block nothing.
    expect((await keyLines(r.dataDir)).length).toBe(40);
    await r.outbox.stop();
    const second = await r.reopen();
    others.push(second);
    const out = await second.enqueueMany(reqs);
    expect(out.map((o) => o.status)).toEqual(reqs.map(() => "queued"));
    expect(await activeFiles(r.dataDir)).toHaveLength(40);
    r = undefined; // stopped above
  });

  it("a key append that fails rejects the batch and takes its written records back", async () => {
    r = await rig();
    const reqs = batch(10, 300);
    vi.spyOn(History.prototype, "appendMany").mockRejectedValueOnce(new Error("ENOSPC (test)"));
    await expect(r.outbox.enqueueMany(reqs)).rejects.toThrow(/ENOSPC/);
    expect(r.outbox.list().total).toBe(0);
    // Each "queued" that went out is followed by a "failed" saying it was never stored.
    const keys = new Set(reqs.map((q) => q.idempotencyKey));
    const seen = r.events.filter((e) => keys.has(e.idempotencyKey)).map((e) => `${e.idempotencyKey} ${e.state}`);
    expect(seen).toEqual([
      ...reqs.map((q) => `${q.idempotencyKey} queued`),
      ...reqs.map((q) => `${q.idempotencyKey} failed`),
    ]);
    expect(
      r.events
        .filter((e) => keys.has(e.idempotencyKey) && e.state === "failed")
        .every((e) => /not stored: ENOSPC/.test(String(e.reason))),
    ).toBe(true);
    r.events.length = 0;
    expect(await activeFiles(r.dataDir)).toEqual([]);
    // In the same process, a retry at once is admitted.
    const out = await r.outbox.enqueueMany(reqs);
    expect(out.every((o) => o.status === "queued")).toBe(true);
    const second = await r.reopen();
    others.push(second);
    for (const q of reqs) expect(second.byIdempotencyKey(q.idempotencyKey)).toBeDefined();
  });

  it("a single enqueue whose write fails is refused to its caller and withdrawn from the event stream", async () => {
    r = await rig();
    const req = reminder({ to: number(500) });
    vi.spyOn(History.prototype, "append").mockRejectedValueOnce(new Error("EIO: card write failed (test)"));
    await expect(r.outbox.enqueue(req)).rejects.toThrow(/EIO/);
    vi.restoreAllMocks();
    expect(r.outbox.byIdempotencyKey(req.idempotencyKey)).toBeUndefined();
    expect(r.events.filter((e) => e.idempotencyKey === req.idempotencyKey).map((e) => [e.state, e.reason])).toEqual([
      ["queued", undefined],
      ["failed", "not stored: EIO: card write failed (test)"],
    ]);
    expect((await r.outbox.enqueue(req)).status).toBe("queued"); // asked again: admitted
  });

  it("a concurrent enqueue of a key in a batch under way gets the batch's message as a duplicate", async () => {
    r = await rig();
    const reqs = batch(5, 400);
    const [many, one] = await Promise.all([r.outbox.enqueueMany(reqs), r.outbox.enqueue(reqs[3]!)]);
    expect(one.status).toBe("duplicate");
    expect(one.message.id).toBe(idOf(many[3]));
    const [single, viaBatch] = await Promise.all([r.outbox.enqueue(reminder({ to: number(410) })), Promise.resolve()]);
    void viaBatch;
    const dup = await r.outbox.enqueueMany([
      { ...reminder({ to: number(411) }), idempotencyKey: single.message.idempotencyKey },
    ]);
    expect(idOf(dup[0])).toBe(single.message.id);
    expect((await activeOnDisk(r.dataDir)).has(single.message.id)).toBe(true);
  });
});
