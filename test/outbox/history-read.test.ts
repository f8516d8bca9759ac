/**
 * Outbox.readMessages (src/outbox/history-read.ts) on real files: the active set, then the
 * dated history files history/outbox-<day>.jsonl (src/store/history.ts), each message once in
 * its latest record, only the files of the period opened.
 */
import { describe, it, expect, afterEach } from "vitest";
import { appendFile, mkdir, readFile, readdir } from "node:fs/promises";
import { join } from "node:path";
import { disposeRig, rig, reminder, until, cms, type Rig } from "./helpers.js";
import { activeRecordOnDisk, leaveActiveRecord } from "../support/outbox-disk.js";
import { Priority, type OutboxMessage } from "../../src/outbox/index.js";

let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

const DAY = 86_400_000;

async function all(it: AsyncIterable<OutboxMessage>): Promise<OutboxMessage[]> {
  const out: OutboxMessage[] = [];
  for await (const m of it) out.push(m);
  return out;
}

const activeCount = (r: Rig): number => {
  const s = r.outbox.stats();
  return s.queued + s.sending + s.submitted;
};
const historyDir = (r: Rig): string => join(r.dataDir, "history");
const historyFile = (r: Rig, at: number): string =>
  join(historyDir(r), `outbox-${new Date(at).toISOString().slice(0, 10)}.jsonl`);

/** The history lines (ids) of one message, over all the day files. */
async function historyLines(r: Rig, id: string): Promise<Array<{ file: string; state: string }>> {
  const out: Array<{ file: string; state: string }> = [];
  for (const f of (await readdir(historyDir(r))).sort()) {
    for (const line of (await readFile(join(historyDir(r), f), "utf8")).split("\n")) {
      if (line.trim() === "") continue;
      const rec = (JSON.parse(line) as { record: OutboxMessage }).record;
      if (rec.id === id) out.push({ file: f, state: rec.state });
    }
  }
  return out;
}

describe("Outbox.readMessages: each message once, in its latest record", () => {
  it("a failed message retried and finished again (two history lines, two day files) is reported once, finished the second time; while retried, once, the active record", async () => {
    r = await rig({ statusReports: false }); // a submitted message leaves the hot set at once
    r.sender.behaviour = cms(21, false); // permanent: failed at the first attempt
    const { message } = await r.outbox.enqueue(reminder());
    const created = r.clock.now();
    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(message.id)?.state === "failed", "failed");

    await r.clock.advance(DAY); // the second finish is appended to the next day's file
    r.sender.behaviour = "ok";
    r.sender.hold = true; // the part stays at the modem: active again, and failed in history
    await r.outbox.retry(message.id);
    await until(r.clock, () => r!.outbox.get(message.id)?.state === "sending", "sending again");
    const meanwhile = await all(r.outbox.readMessages({}));
    expect(meanwhile.map((m) => [m.id, m.state])).toEqual([[message.id, "sending"]]);

    r.sender.hold = false;
    r.sender.release();
    await until(
      r.clock,
      () => r!.outbox.get(message.id)?.state === "submitted" && activeCount(r!) === 0,
      "submitted, out of the hot set",
    );

    const lines = await historyLines(r, message.id);
    expect(lines).toEqual([
      { file: "outbox-2026-03-10.jsonl", state: "failed" },
      { file: "outbox-2026-03-11.jsonl", state: "submitted" },
    ]);
    const got = await all(r.outbox.readMessages({ from: created, to: created + 1 }));
    expect(got).toHaveLength(1);
    expect(got[0]!.id).toBe(message.id);
    expect(got[0]!.state).toBe("submitted");
    expect(got[0]!.parts[0]!.reference).toBe(0);
    expect(got[0]!.history.map((h) => h.state)).toEqual([
      "queued",
      "sending",
      "failed",
      "queued",
      "sending",
      "submitted",
    ]);
  });

  it("a crash between the history append and the removal from the active set: once, in the finished record, and not sent again", async () => {
    r = await rig();
    const kept = await r.outbox.enqueue(reminder());
    const { message } = await r.outbox.enqueue(reminder());
    const beforeFinish = await activeRecordOnDisk(r.dataDir, message.id); // as flushed before the finish: queued
    expect(beforeFinish?.state).toBe("queued");
    await r.clock.advance(60_000);
    const res = await r.outbox.cancel({ id: message.id }, "paid meanwhile");
    expect(res.cancelled).toEqual([message.id]);
    await r.outbox.stop();
    // The crash: the history line is durable, the removal of the active record is not (and
    // the finished state was never flushed to it: a coalesced write that had not yet run).
    await leaveActiveRecord(r.dataDir, beforeFinish!);
    r.outbox = await r.reopen();

    const got = await all(r.outbox.readMessages({}));
    expect(got.filter((m) => m.id === message.id).map((m) => m.state)).toEqual(["cancelled"]);
    expect(got.map((m) => m.id).sort()).toEqual([kept.message.id, message.id].sort());
    expect(r.outbox.get(message.id)?.state).toBe("cancelled");

    await r.outbox.start();
    await until(r.clock, () => r!.outbox.get(kept.message.id)?.state === "submitted", "the other one sent");
    expect(r.sender.sent).toHaveLength(1); // the cancelled one is not sent
    expect(r.outbox.get(message.id)?.state).toBe("cancelled");
    expect((await all(r.outbox.readMessages({}))).filter((m) => m.id === message.id).map((m) => m.state)).toEqual([
      "cancelled",
    ]);
  });

  it("a crash after the finished record was flushed but before its removal: once, finished (moved again at the start)", async () => {
    r = await rig();
    const { message } = await r.outbox.enqueue(reminder());
    await r.clock.advance(60_000);
    await r.outbox.cancel({ id: message.id }, "paid meanwhile");
    await r.outbox.stop();
    const line = (await readFile(historyFile(r, r.clock.now()), "utf8")).trim();
    const finished = (JSON.parse(line) as { record: OutboxMessage }).record;
    await leaveActiveRecord(r.dataDir, finished);
    r.outbox = await r.reopen();
    expect(activeCount(r)).toBe(0); // moved to the history again at the start
    expect(await historyLines(r, message.id)).toHaveLength(2);
    const got = await all(r.outbox.readMessages({}));
    expect(got.map((m) => [m.id, m.state])).toEqual([[message.id, "cancelled"]]);
  });

  it("a crash after a submitted message's append, without status reports (no state change, only finishedAt): once, and not kept active", async () => {
    r = await rig({ statusReports: false });
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.start();
    await until(
      r.clock,
      () => r!.outbox.get(message.id)?.state === "submitted" && activeCount(r!) === 0,
      "submitted, out of the hot set",
    );
    await r.outbox.stop();
    const line = (await readFile(historyFile(r, r.clock.now()), "utf8")).trim();
    const submitted = (JSON.parse(line) as { record: OutboxMessage }).record;
    delete submitted.finishedAt; // as persisted at the submission, before moveToHistory
    await leaveActiveRecord(r.dataDir, submitted);
    r.outbox = await r.reopen();
    expect(activeCount(r)).toBe(0);
    const got = await all(r.outbox.readMessages({}));
    expect(got.map((m) => [m.id, m.state, m.finishedAt])).toEqual([[message.id, "submitted", r.clock.now()]]);
  });
});

describe("Outbox.readMessages: the period", () => {
  // Period [2026-03-10, 2026-03-12) UTC; the history files opened: 03-10 to 04-16 (to + 35 days).
  const from = Date.UTC(2026, 2, 10);
  const to = Date.UTC(2026, 2, 12);

  it("by creation time: finished 10 days after `to` is in, 40 days after is out (past the 35-day lifetime), created outside is out", async () => {
    r = await rig({ start: Date.UTC(2026, 2, 9, 9, 0) });
    const before = await r.outbox.enqueue(reminder()); // created 03-09: before the period
    await r.clock.advance(DAY + 3_600_000); // 03-10 10:00
    await r.outbox.cancel({ id: before.message.id }, "x"); // appended inside the period's files
    const late = await r.outbox.enqueue(reminder());
    const tooLate = await r.outbox.enqueue(reminder());
    const quick = await r.outbox.enqueue(reminder());
    await r.outbox.cancel({ id: quick.message.id }, "x");
    await r.clock.advance(2 * DAY); // 03-12 10:00: at or after `to`
    const after = await r.outbox.enqueue(reminder());
    await r.outbox.cancel({ id: after.message.id }, "x");
    await r.clock.set(to + 10 * DAY);
    await r.outbox.cancel({ id: late.message.id }, "x");
    await r.clock.set(to + 40 * DAY);
    await r.outbox.cancel({ id: tooLate.message.id }, "x");
    const still = await r.outbox.enqueue(reminder()); // active, created after the period

    const got = await all(r.outbox.readMessages({ from, to }));
    expect(got.map((m) => m.id).sort()).toEqual([late.message.id, quick.message.id].sort());
    expect(got.every((m) => m.state === "cancelled")).toBe(true);
    // Without bounds, every one of them (history and active).
    const everything = await all(r.outbox.readMessages({}));
    expect(everything.map((m) => m.id).sort()).toEqual(
      [before, late, tooLate, quick, after, still].map((x) => x.message.id).sort(),
    );
  });

  it("files outside the period are not opened (one that would throw if read, on either side)", async () => {
    r = await rig();
    const { message } = await r.outbox.enqueue(reminder());
    await r.outbox.cancel({ id: message.id }, "x");
    // Named like day files, but directories: reading one fails with EISDIR.
    await mkdir(join(historyDir(r), "outbox-2026-03-09.jsonl")); // the day before `from`
    await mkdir(join(historyDir(r), "outbox-2026-04-17.jsonl")); // the day after to + 35 days
    const got = await all(r.outbox.readMessages({ from, to }));
    expect(got.map((m) => m.id)).toEqual([message.id]);
    // The guard does fire when such a file is in range.
    await expect(all(r.outbox.readMessages({ from: from - DAY, to }))).rejects.toThrow(/EISDIR/);
    await expect(all(r.outbox.readMessages({ from, to: to + DAY }))).rejects.toThrow(/EISDIR/);
  });
});

describe("Outbox.readMessages: one account", () => {
  it("keeps the messages of that account, active and in history, whatever the origin", async () => {
    r = await rig();
    const mine = (o: Partial<Parameters<typeof reminder>[0]> = {}) => reminder(o);
    const a1 = await r.outbox.enqueue(
      mine({ origin: { kind: "dunning", accountId: "A-1", invoiceIds: ["i1"], step: "first", policyVersion: 1 } }),
    );
    const a2 = await r.outbox.enqueue(
      mine({
        origin: { kind: "keyword-reply", inboundId: "in-1", keyword: "BALANCE", accountIds: ["A-2", "A-1"] },
        priority: Priority.reply,
      }),
    );
    const a3 = await r.outbox.enqueue(mine({ origin: { kind: "api", requestedBy: "staff", accountId: "A-1" } }));
    const b1 = await r.outbox.enqueue(
      mine({ origin: { kind: "dunning", accountId: "A-10", invoiceIds: ["i2"], step: "first", policyVersion: 1 } }),
    );
    const b2 = await r.outbox.enqueue(mine({ origin: { kind: "api", requestedBy: "staff" } }));
    await r.outbox.enqueue(mine({ origin: { kind: "test", requestedBy: "staff" } }));
    for (const m of [a1, b1, b2]) await r.outbox.cancel({ id: m.message.id }, "x"); // in history
    const got = await all(r.outbox.readMessages({ accountId: "A-1" }));
    expect(got.map((m) => m.id).sort()).toEqual([a1, a2, a3].map((x) => x.message.id).sort());
    expect((await all(r.outbox.readMessages({ accountId: "A-2" }))).map((m) => m.id)).toEqual([a2.message.id]);
    expect(await all(r.outbox.readMessages({ accountId: "A-3" }))).toEqual([]);
  });
});

describe("Outbox.readMessages: a torn last line", () => {
  it("is skipped without a crash; the next start's append begins on a fresh line", async () => {
    r = await rig();
    const first = await r.outbox.enqueue(reminder());
    const second = await r.outbox.enqueue(reminder());
    await r.outbox.cancel({ id: first.message.id }, "x");
    const file = historyFile(r, r.clock.now());
    // A power cut in the middle of an append: half a line, no newline.
    await appendFile(file, `{"at":${r.clock.now()},"record":{"id":"${second.message.id}","state":"canc`);
    const got = await all(r.outbox.readMessages({}));
    expect(got.map((m) => [m.id, m.state]).sort()).toEqual(
      [
        [first.message.id, "cancelled"],
        [second.message.id, "queued"],
      ].sort(),
    );

    await r.outbox.stop();
    r.outbox = await r.reopen(); // reads the torn file at the start, too
    await r.outbox.cancel({ id: second.message.id }, "x");
    const after = await all(r.outbox.readMessages({}));
    expect(after.map((m) => [m.id, m.state]).sort()).toEqual(
      [
        [first.message.id, "cancelled"],
        [second.message.id, "cancelled"],
      ].sort(),
    );
    expect((await readFile(file, "utf8")).split("\n").filter((l) => l !== "")).toHaveLength(3);
  });
});
