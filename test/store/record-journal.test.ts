import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordJournal, resetStoreIoStats, storeIoStats, type RecordJournalOptions } from "../../src/store/index.js";
import { RecordLog, type RecordEntry } from "../../src/store/record-log.js";
import { silentLogger } from "../../src/core/log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-rj-"));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const options = (o: Partial<RecordJournalOptions> = {}): RecordJournalOptions => ({
  logger: silentLogger(),
  coalesceMs: 60_000,
  compactMinBytes: 1024 * 1024,
  compactRatio: 2,
  ...o,
});
const open = <T>(o: Partial<RecordJournalOptions> = {}) => RecordJournal.open<T>(dir, options(o));

const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
};

/** Holds the record log's appends until released (a slow card, made deterministic). */
function holdAppends(): { release: () => void; held: RecordEntry[][] } {
  const append = RecordLog.prototype.append;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const held: RecordEntry[][] = [];
  vi.spyOn(RecordLog.prototype, "append").mockImplementation(function (this: RecordLog, entries) {
    held.push(entries.map((e) => structuredClone(e)));
    return gate.then(() => append.call(this, entries));
  });
  return { release, held };
}

describe("RecordJournal", () => {
  it("appends only the changed record, whatever the number of records", async () => {
    const rj = await open<{ id: string; n: number }>();
    for (let i = 0; i < 200; i++) rj.put(`r${i}`, { id: `r${i}`, n: i });
    await rj.flush();
    resetStoreIoStats();
    rj.get("r5")!.n = 500;
    rj.markDirty("r5");
    await rj.flush();
    const line = JSON.stringify(["r", "r5", { id: "r5", n: 500 }]) + "\n" + '{"commit":1}\n';
    expect(storeIoStats()).toMatchObject({ bytesWritten: line.length, appends: 1, fsyncs: 1 });
    await rj.close();
    const again = await open<{ id: string; n: number }>();
    expect(again.size).toBe(200);
    expect(again.get("r5")!.n).toBe(500);
    await again.close();
  });

  it("writes changes that meet during one write together: one fsync for many records", async () => {
    const rj = await open<{ n: number }>();
    rj.put("first", { n: 0 });
    const first = rj.flushRecords(["first"]);
    resetStoreIoStats();
    const others = Array.from({ length: 4 }, (_, i) => {
      rj.put(`m${i}`, { n: i });
      return rj.flushRecords([`m${i}`]);
    });
    await Promise.all([first, ...others]);
    // The first write was under way; the four that came meanwhile shared the next one.
    expect(storeIoStats().appends).toBeLessThanOrEqual(2);
    await rj.close();
    const again = await open<{ n: number }>();
    expect([...again.values()].map((v) => v.n).sort()).toEqual([0, 0, 1, 2, 3]);
    await again.close();
  });

  it("a deleted record is gone after a restart", async () => {
    const rj = await open<{ n: number }>();
    rj.put("a", { n: 1 });
    rj.put("b", { n: 2 });
    await rj.flush();
    rj.delete("a");
    await rj.flush();
    await rj.close();
    const again = await open<{ n: number }>();
    expect(again.get("a")).toBeUndefined();
    expect(again.get("b")).toEqual({ n: 2 });
    await again.close();
  });

  it("compacts a log that outgrew its snapshot, and a restart reads the same live records", async () => {
    const rj = await open<{ n: number; pad: string }>({ compactMinBytes: 2_000, compactRatio: 2 });
    for (let i = 0; i < 300; i++) {
      rj.put(`m${i}`, { n: i, pad: "x".repeat(40) });
      await rj.flushRecords([`m${i}`]);
      if (i >= 5) rj.delete(`m${i - 5}`); // a queue: messages come and go
    }
    await rj.flush();
    await vi.waitFor(() => expect(rj.stats.compactions).toBeGreaterThan(0));
    await rj.close();
    const bytes = (await readdir(dir)).length;
    expect(bytes).toBeLessThan(10); // a snapshot and a few logs, never a file per record
    const again = await open<{ n: number; pad: string }>();
    expect([...again.values()].map((v) => v.n).sort((a, b) => a - b)).toEqual([295, 296, 297, 298, 299]);
    await again.close();
  });

  it("flushRecords waits for a write of that record that another flush began", async () => {
    const rj = await open<{ n: number }>();
    const { release } = holdAppends();
    rj.put("a", { n: 1 });
    const first = rj.flush();
    const mine = rj.flushRecords(["a"]); // nothing new to write, but a's change is not durable yet
    expect(await settled(mine)).toBe(false);
    release();
    await Promise.all([first, mine]);
    vi.restoreAllMocks();
    await rj.close();
    const again = await open<{ n: number }>();
    expect(again.get("a")).toEqual({ n: 1 });
    await again.close();
  });

  it("keeps one record's writes in order: the last value wins after a restart", async () => {
    const rj = await open<{ n: number }>();
    const { release, held } = holdAppends();
    rj.put("a", { n: 1 });
    const first = rj.flush();
    rj.get("a")!.n = 2;
    rj.markDirty("a");
    const second = rj.flushRecords(["a"]);
    release();
    await Promise.all([first, second]);
    expect(held.map((entries) => entries.map((e) => e[2]))).toEqual([[{ n: 1 }], [{ n: 2 }]]);
    vi.restoreAllMocks();
    await rj.close();
    const again = await open<{ n: number }>();
    expect(again.get("a")).toEqual({ n: 2 });
    await again.close();
  });

  it("a failed write leaves the record to be written, and a later flush writes it", async () => {
    const rj = await open<{ n: number }>();
    vi.spyOn(RecordLog.prototype, "append").mockRejectedValueOnce(new Error("card refused"));
    rj.put("a", { n: 1 });
    await expect(rj.flush()).rejects.toThrow("card refused");
    await rj.flush();
    await rj.close();
    const again = await open<{ n: number }>();
    expect(again.get("a")).toEqual({ n: 1 });
    await again.close();
  });

  it("refuses an id that could not be a file name, naming the directory", async () => {
    const rj = await open<{ n: number }>();
    expect(() => rj.put("../x", { n: 1 })).toThrow(/Record id "..\/x" may only hold/);
    await rj.close();
  });
});

describe("RecordJournal over the one-file-per-record layout", () => {
  /** The files the earlier layout left: a record, a torn record with its .bak, an unfinished write. */
  async function legacyFiles(): Promise<void> {
    await writeFile(join(dir, "a.json"), JSON.stringify({ n: 1 }));
    await writeFile(join(dir, "a.json.bak"), JSON.stringify({ n: 0 }));
    await writeFile(join(dir, "b.json"), '{"n":');
    await writeFile(join(dir, "b.json.bak"), JSON.stringify({ n: 2 }));
    await writeFile(join(dir, "never.json.tmp"), '{"n":3');
  }

  it("moves the record files into the journal (a torn one from its .bak) and removes them", async () => {
    await legacyFiles();
    const rj = await open<{ n: number }>();
    expect(rj.get("a")).toEqual({ n: 1 });
    expect(rj.get("b")).toEqual({ n: 2 });
    expect(rj.size).toBe(2);
    const left = await readdir(dir);
    expect(left.filter((f) => f.includes(".json") && !f.endsWith(".jsonl"))).toEqual(
      left.filter((f) => f.startsWith("b.json.corrupt-")), // the torn file is kept aside, as the file store does
    );
    await rj.close();
    const again = await open<{ n: number }>();
    expect([...again.values()]).toEqual([{ n: 1 }, { n: 2 }]);
    await again.close();
  });

  it("a crash after the move but before the files were removed gives the same records once", async () => {
    await legacyFiles();
    const rj = await open<{ n: number }>();
    await rj.close();
    // As if the files had not been removed: they hold what the journal holds.
    await writeFile(join(dir, "a.json"), JSON.stringify({ n: 1 }));
    const again = await open<{ n: number }>();
    expect(again.size).toBe(2);
    expect(again.get("a")).toEqual({ n: 1 });
    await again.close();
    const log = (await readdir(dir)).filter((f) => f.startsWith("log-"));
    const text = (await Promise.all(log.map((f) => readFile(join(dir, f), "utf8")))).join("");
    expect(text.split("\n").filter((l) => l.startsWith('["r","a"')).length).toBe(2);
  });
});
