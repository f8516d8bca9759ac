import { describe, it, expect, beforeEach, afterEach, vi } from "vitest";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { RecordDir } from "../../src/store/index.js";
import { AtomicJsonFile } from "../../src/store/atomic-file.js";
import { silentLogger } from "../../src/core/log.js";

let dir: string;
/** What the files did, in order: "prepare:a.json", "commit:a.json", ... */
let trace: string[];
/** Writes of these files wait until released (a slow card, made deterministic). */
let gates: Map<string, { wait: Promise<void>; release: () => void }>;

function gate(name: string): () => void {
  let release!: () => void;
  const wait = new Promise<void>((r) => (release = r));
  gates.set(name, { wait, release });
  return () => {
    gates.delete(name);
    release();
  };
}

const settled = async <T>(p: Promise<T>): Promise<boolean> => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
  return done;
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-rdc-"));
  trace = [];
  gates = new Map();
  const prepare = AtomicJsonFile.prototype.prepare;
  const commit = AtomicJsonFile.prototype.commit;
  vi.spyOn(AtomicJsonFile.prototype, "prepare").mockImplementation(async function (
    this: AtomicJsonFile<unknown>,
    text: string,
  ) {
    const name = basename(this.path);
    trace.push(`prepare:${name}`);
    await gates.get(name)?.wait;
    await prepare.call(this, text);
  });
  vi.spyOn(AtomicJsonFile.prototype, "commit").mockImplementation(async function (this: AtomicJsonFile<unknown>) {
    trace.push(`commit:${basename(this.path)}`);
    await commit.call(this);
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("RecordDir writes side by side", () => {
  it("writes a second record while the first one's write is still under way", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    const releaseA = gate("a.json");
    rd.put("a", { n: 1 });
    const flushA = rd.flush();
    rd.put("b", { n: 2 });
    const flushB = rd.flushRecords(["b"]);
    await flushB; // resolves although a's write is held
    expect(JSON.parse(await readFile(join(dir, "b.json"), "utf8"))).toEqual({ n: 2 });
    expect(trace).toContain("commit:b.json");
    expect(trace).not.toContain("commit:a.json");
    expect(await settled(flushA)).toBe(false);
    releaseA();
    await flushA;
    expect(JSON.parse(await readFile(join(dir, "a.json"), "utf8"))).toEqual({ n: 1 });
  });

  it("flush() still waits for every change made before it, also those another flush is writing", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    const releaseA = gate("a.json");
    rd.put("a", { n: 1 });
    const flushA = rd.flush();
    rd.put("b", { n: 2 });
    const flushAll = rd.flush();
    // b is written beside a (not queued behind it) ...
    await vi.waitFor(() => expect(trace).toContain("commit:b.json"));
    // ... but a flush of everything is not durable before a is.
    expect(await settled(flushAll)).toBe(false);
    releaseA();
    await Promise.all([flushA, flushAll]);
    const again = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    expect(again.get("a")).toEqual({ n: 1 });
    expect(again.get("b")).toEqual({ n: 2 });
  });

  it("keeps one record's writes in order: the second starts after the first is renamed, and the last one wins", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    const releaseA = gate("a.json");
    rd.put("a", { n: 1 });
    const first = rd.flush();
    rd.get("a")!.n = 2;
    rd.markDirty("a");
    const second = rd.flushRecords(["a"]);
    expect(await settled(second)).toBe(false);
    expect(trace.filter((t) => t === "prepare:a.json")).toHaveLength(1); // the second write has not begun
    releaseA();
    await Promise.all([first, second]);
    expect(trace).toEqual(["prepare:a.json", "commit:a.json", "prepare:a.json", "commit:a.json"]);
    expect(JSON.parse(await readFile(join(dir, "a.json"), "utf8"))).toEqual({ n: 2 });
    expect(JSON.parse(await readFile(join(dir, "a.json.bak"), "utf8"))).toEqual({ n: 1 });
  });

  it("flushRecords waits for a write of that record that another flush began", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    const releaseA = gate("a.json");
    rd.put("a", { n: 1 });
    const first = rd.flush();
    const mine = rd.flushRecords(["a"]); // nothing new to write, but a's change is not durable yet
    expect(await settled(mine)).toBe(false);
    releaseA();
    await Promise.all([first, mine]);
    expect(JSON.parse(await readFile(join(dir, "a.json"), "utf8"))).toEqual({ n: 1 });
  });

  it("a failed write leaves the record dirty and a later flush writes it", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    const prepare = vi.mocked(AtomicJsonFile.prototype.prepare).getMockImplementation()!;
    vi.mocked(AtomicJsonFile.prototype.prepare).mockImplementationOnce(async () => {
      throw new Error("card refused");
    });
    rd.put("a", { n: 1 });
    await expect(rd.flush()).rejects.toThrow("card refused");
    vi.mocked(AtomicJsonFile.prototype.prepare).mockImplementation(prepare);
    await rd.flush();
    expect(JSON.parse(await readFile(join(dir, "a.json"), "utf8"))).toEqual({ n: 1 });
  });
});
