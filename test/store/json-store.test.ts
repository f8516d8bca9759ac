import { describe, it, expect, beforeEach } from "vitest";
import { mkdtemp, readFile, writeFile, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { JsonStore } from "../../src/store/index.js";
import { silentLogger, type Logger } from "../../src/core/log.js";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";
import { resetStoreIoStats, storeIoStats } from "../../src/store/io-stats.js";

function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: pino({ level: "trace" }, stream) as unknown as Logger, lines };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-store-"));
});

describe("JsonStore", () => {
  it("starts from the defaults when there is no file, and writes nothing until asked", async () => {
    const s = await JsonStore.open(join(dir, "a.json"), { n: 1 }, { logger: silentLogger(), coalesceMs: 10 });
    expect(s.data).toEqual({ n: 1 });
    expect(await readdir(dir)).toEqual([]);
  });

  it("flush() makes the data durable at once and keeps the previous copy as .bak", async () => {
    const path = join(dir, "a.json");
    const s = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 60_000 });
    s.data.n = 1;
    await s.flush();
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ n: 1 });
    s.data.n = 2;
    await s.flush();
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ n: 2 });
    expect(JSON.parse(await readFile(`${path}.bak`, "utf8"))).toEqual({ n: 1 });
    const reopened = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    expect(reopened.data.n).toBe(2);
  });

  it("coalesces many markDirty() calls into one write", async () => {
    const path = join(dir, "c.json");
    const s = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 30 });
    resetStoreIoStats();
    for (let i = 1; i <= 50; i++) {
      s.data.n = i;
      s.markDirty();
    }
    await new Promise((r) => setTimeout(r, 120));
    expect(storeIoStats().fileWrites).toBe(1);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ n: 50 });
  });

  it("a flush with nothing changed writes nothing", async () => {
    const s = await JsonStore.open(join(dir, "d.json"), { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    s.data.n = 3;
    await s.flush();
    const before = s.bytesWritten;
    await s.flush();
    expect(s.bytesWritten).toBe(before);
  });

  it.each([
    ["a half-written file", '{"n": 7, "list": [1,2'],
    ["an empty file", ""],
    ["garbage", "\u0000\u0000\u0000"],
  ])("detects %s at start, uses the .bak and logs at error level", async (_what, content) => {
    const path = join(dir, "e.json");
    const s = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    s.data.n = 5;
    await s.flush();
    s.data.n = 6;
    await s.flush();
    await writeFile(path, content);
    const { logger, lines } = captureLogger();
    const again = await JsonStore.open(path, { n: 0 }, { logger, coalesceMs: 10 });
    expect(again.data.n).toBe(5);
    expect(lines.some((l) => l.level === 50 && String(l.msg).includes("STORE CORRUPT"))).toBe(true);
    expect((await readdir(dir)).some((n) => n.startsWith("e.json.corrupt-"))).toBe(true);
  });

  it("refuses to start empty when the file and its .bak are both unreadable", async () => {
    const path = join(dir, "f.json");
    await writeFile(path, "{");
    await writeFile(`${path}.bak`, "[");
    const err = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 }).catch(
      (e: unknown) => e,
    );
    expect(isDuegateError(err, ErrorCode.StoreCorrupt)).toBe(true);
  });

  it("ignores a stray .tmp left by a crash before the rename", async () => {
    const path = join(dir, "g.json");
    const s = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    s.data.n = 9;
    await s.flush();
    await writeFile(`${path}.tmp`, '{"n": 10');
    const again = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    expect(again.data.n).toBe(9);
  });

  it("serialises concurrent flushes and ends with the latest data", async () => {
    const path = join(dir, "h.json");
    const s = await JsonStore.open(path, { n: 0 }, { logger: silentLogger(), coalesceMs: 10 });
    const all: Array<Promise<void>> = [];
    for (let i = 1; i <= 20; i++) {
      s.data.n = i;
      all.push(s.flush());
    }
    await Promise.all(all);
    expect(JSON.parse(await readFile(path, "utf8"))).toEqual({ n: 20 });
  });
});
