import { describe, it, expect, beforeEach, afterEach } from "vitest";
import { mkdtemp, readdir, readFile, appendFile, writeFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/log.js";
import { RecordDocument, type RecordDocumentOptions } from "../../src/store/record-document.js";

interface Doc {
  schema: 1;
  people: Record<string, { id: string; name: string; n: number }>;
  erased: { count: number };
}
const empty = (): Doc => ({ schema: 1, people: {}, erased: { count: 0 } });

let dir: string;
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), "duegate-reclog-")), "doc");
});
afterEach(async () => {
  await rm(join(dir, ".."), { recursive: true, force: true });
});

const options = (over: Partial<RecordDocumentOptions> = {}): RecordDocumentOptions => ({
  logger: silentLogger(),
  collections: ["people"],
  coalesceMs: 10,
  compactMinBytes: 1 << 30,
  compactRatio: 1,
  ...over,
});
const open = (over: Partial<RecordDocumentOptions> = {}) => RecordDocument.open<Doc>(dir, empty(), options(over));

function put(doc: RecordDocument<Doc>, id: string, name: string, n = 1): void {
  doc.data.people[id] = { id, name, n };
  doc.touch("people", id);
}

async function logFiles(): Promise<string[]> {
  return (await readdir(dir)).filter((f) => f.startsWith("log-")).sort();
}

/** Every byte under the directory, as latin1 text (a search for leftovers). */
async function allBytes(root: string): Promise<string> {
  let out = "";
  for (const e of await readdir(root, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) out += (await readFile(join(e.parentPath, e.name))).toString("latin1");
  }
  return out;
}

describe("RecordDocument over a RecordLog", () => {
  it("appends only the touched records and replays them after a restart", async () => {
    const a = await open();
    for (let i = 0; i < 200; i++) put(a, `p${i}`, `Person ${i}`);
    a.markDirty();
    await a.flush();
    const before = a.stats.logBytes;
    put(a, "p7", "Changed", 2);
    a.data.erased.count = 3;
    a.touch("erased");
    await a.flush();
    const line = (await readFile(join(dir, (await logFiles())[0]!), "utf8")).trim().split("\n").slice(-3);
    // One record, one field, one commit: the write does not grow with the document.
    expect(line).toEqual([
      '["people","p7",{"id":"p7","name":"Changed","n":2}]',
      '["$","erased",{"count":3}]',
      '{"commit":2}',
    ]);
    expect(a.stats.logBytes - before).toBeLessThan(120);
    await a.close();

    const b = await open();
    expect(Object.keys(b.data.people)).toHaveLength(200);
    expect(b.data.people.p7).toEqual({ id: "p7", name: "Changed", n: 2 });
    expect(b.data.erased.count).toBe(3);
    await b.close();
  });

  it("drops a torn last append (a crash mid-write) and keeps every completed one", async () => {
    const a = await open();
    put(a, "p1", "One");
    await a.flush();
    put(a, "p2", "Two");
    await a.flush();
    await a.close();
    const [file] = await logFiles();
    // Half an append: one whole record line without its commit, then half a line, then the zeros ext4 may leave.
    await appendFile(
      join(dir, file!),
      '["people","p3",{"id":"p3","name":"Three","n":1}]\n["people","p4",{"id":"p4","na' + "\0".repeat(20),
    );

    const b = await open();
    expect(Object.keys(b.data.people).sort()).toEqual(["p1", "p2"]);
    // New appends go to a new file: the torn tail stays at the end of the old one.
    put(b, "p5", "Five");
    await b.flush();
    await b.close();
    expect(await logFiles()).toHaveLength(2);
    const c = await open();
    expect(Object.keys(c.data.people).sort()).toEqual(["p1", "p2", "p5"]);
    await c.close();
  });

  it("refuses to start on a damaged line before a commit (not a crash: a failing card)", async () => {
    const a = await open();
    put(a, "p1", "One");
    await a.flush();
    await a.close();
    const [file] = await logFiles();
    const text = await readFile(join(dir, file!), "utf8");
    await writeFile(join(dir, file!), text.replace('"One"', '"On\u0000'));
    await expect(open()).rejects.toThrow(/damaged at line 1/);
  });

  it("compacts in the background while appends go on, and replays to the same data", async () => {
    const a = await open({ compactMinBytes: 2000, compactRatio: 0.5 });
    const writes: Array<Promise<void>> = [];
    for (let round = 0; round < 60; round++) {
      for (let k = 0; k < 20; k++) put(a, `p${(round * 7 + k) % 300}`, `Name ${round}-${k}`, round);
      if (round % 9 === 0) {
        delete a.data.people[`p${round}`];
        a.touch("people", `p${round}`);
      }
      // Not awaited one by one: flushes overlap with each other and with compaction.
      writes.push(a.flush());
      if (round % 5 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(writes);
    expect(a.stats.compactions).toBeGreaterThan(1);
    const expected = structuredClone(a.data);
    await a.close();
    const names = await readdir(dir);
    expect(names).toContain("snapshot.jsonl");
    expect(names.some((n) => n.endsWith(".tmp"))).toBe(false);

    const b = await open();
    expect(b.data).toEqual(expected);
    await b.close();
  });

  it("a delete compacts before flush resolves: the old values are in no file", async () => {
    const a = await open({ compactMinBytes: 1, compactRatio: 0 });
    put(a, "keep", "Kept Person");
    put(a, "gone", "Zelda Quuxbridge");
    await a.flush(); // compacted: the name is in the snapshot now
    put(a, "gone", "Zelda Quuxbridge the Second", 2);
    await a.flush();
    a.data.people.gone!.name = "Zelda Quuxbridge the Third";
    a.touch("people", "gone");
    await a.flush();
    // Every append starts a background compaction here (ratio 0): let it settle before listing files.
    await a.compact();
    expect(await allBytes(dir)).toContain("Zelda Quuxbridge");

    delete a.data.people.gone;
    a.touch("people", "gone");
    await a.flush();
    expect(await allBytes(dir)).not.toContain("Quuxbridge");
    expect(await allBytes(dir)).toContain("Kept Person");
    await a.close();
    const b = await open();
    expect(Object.keys(b.data.people)).toEqual(["keep"]);
    await b.close();
  });

  it("writes a full snapshot when a change was not named (markDirty without touch)", async () => {
    const a = await open();
    a.data.people.x = { id: "x", name: "Untracked", n: 1 };
    a.markDirty();
    await a.flush();
    expect(a.stats.compactions).toBe(1);
    await a.close();
    const b = await open();
    expect(b.data.people.x?.name).toBe("Untracked");
    await b.close();
  });

  it("imports the whole-file JSON document it replaces, once, and removes it and its .bak", async () => {
    const legacy = `${dir}.json`;
    const old: Doc = { schema: 1, people: { p1: { id: "p1", name: "Old File", n: 4 } }, erased: { count: 1 } };
    await writeFile(legacy, JSON.stringify(old));
    await writeFile(`${legacy}.bak`, JSON.stringify(old));
    const a = await open({ legacyJson: legacy });
    expect(a.data).toEqual(old);
    await expect(stat(legacy)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${legacy}.bak`)).rejects.toThrow(/ENOENT/);
    await a.close();
    const b = await open({ legacyJson: legacy });
    expect(b.data).toEqual(old);
    await b.close();
  });

  it("throws on a snapshot without its end mark (it is renamed in only when complete)", async () => {
    const a = await open();
    put(a, "p1", "One");
    await a.flush();
    await a.compact();
    await a.close();
    const snap = join(dir, "snapshot.jsonl");
    const text = await readFile(snap, "utf8");
    await writeFile(snap, text.split("\n").slice(0, 2).join("\n") + "\n");
    await expect(open()).rejects.toThrow(/no end mark/);
  });
});
