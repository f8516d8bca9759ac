import { describe, expect, it } from "vitest";
import { appendFileSync, mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileJournal, MemoryJournal } from "../../src/store/event-journal.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";

const opts = { clock: systemClock, logger: silentLogger(), coalesceMs: 10 };

describe("event journal", () => {
  it("gives back after a restart exactly the events not acknowledged, in order", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "j-")), "out.jsonl");
    const j = await FileJournal.open<{ n: number }>(path, opts);
    for (let n = 1; n <= 5; n++) j.append({ n });
    j.ack(1);
    j.ack(3);
    await j.close();
    const again = await FileJournal.open<{ n: number }>(path, opts);
    expect(again.pending().map((p) => p.item.n)).toEqual([2, 4, 5]);
    const seq = again.append({ n: 6 });
    expect(seq).toBeGreaterThan(5);
    await again.close();
  });

  it("skips a torn last line after a power cut", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "j-")), "out.jsonl");
    const j = await FileJournal.open<{ n: number }>(path, opts);
    j.append({ n: 1 });
    await j.close();
    appendFileSync(path, '{"s":2,"i":{"n"');
    const again = await FileJournal.open<{ n: number }>(path, opts);
    expect(again.pending().map((p) => p.item.n)).toEqual([1]);
    await again.close();
  });

  it("cuts the file back to nothing once everything is delivered", async () => {
    const path = join(mkdtempSync(join(tmpdir(), "j-")), "out.jsonl");
    const j = await FileJournal.open<{ n: number }>(path, opts);
    for (let n = 1; n <= 100; n++) j.append({ n });
    await j.flush();
    expect(statSync(path).size).toBeGreaterThan(0);
    for (let s = 1; s <= 100; s++) j.ack(s);
    await j.flush();
    expect(readFileSync(path, "utf8")).toBe("");
    await j.close();
  });

  it("drops the oldest event beyond its bound and says so", () => {
    const dropped: number[] = [];
    const j = new MemoryJournal<number>(3, (s) => dropped.push(s));
    for (let n = 1; n <= 5; n++) j.append(n);
    expect(j.pending().map((p) => p.item)).toEqual([3, 4, 5]);
    expect(dropped).toEqual([1, 2]);
  });
});
