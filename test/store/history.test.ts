import { describe, it, expect, beforeEach } from "vitest";
import { mkdtemp, readdir, appendFile, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { History } from "../../src/store/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-hist-"));
});

async function all<R>(it: AsyncIterable<R>): Promise<R[]> {
  const out: R[] = [];
  for await (const r of it) out.push(r);
  return out;
}

describe("History", () => {
  it("appends to a file per UTC day and reads back in order", async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 23, 0));
    const h = new History<{ id: number }>(dir, "outbox", { retentionDays: 30, clock, logger: silentLogger() });
    await h.append({ id: 1 });
    await clock.advance(2 * 3600_000);
    await Promise.all([h.append({ id: 2 }), h.append({ id: 3 })]);
    expect((await readdir(dir)).sort()).toEqual(["outbox-2026-03-01.jsonl", "outbox-2026-03-02.jsonl"]);
    expect((await all(h.read())).map((r) => r.id)).toEqual([1, 2, 3]);
    expect((await all(h.read({ from: Date.UTC(2026, 2, 2) }))).map((r) => r.id)).toEqual([2, 3]);
    expect((await all(h.read({ filter: (r) => r.id !== 2 }))).map((r) => r.id)).toEqual([1, 3]);
  });

  it("skips a torn last line and starts the next append on a new line", async () => {
    const clock = new ManualClock(Date.UTC(2026, 2, 1, 12));
    const h = new History<{ id: number }>(dir, "inbound", { retentionDays: 30, clock, logger: silentLogger() });
    await h.append({ id: 1 });
    await appendFile(join(dir, "inbound-2026-03-01.jsonl"), '{"at":1,"record":{"id":');
    const h2 = new History<{ id: number }>(dir, "inbound", { retentionDays: 30, clock, logger: silentLogger() });
    await h2.append({ id: 2 });
    expect((await all(h2.read())).map((r) => r.id)).toEqual([1, 2]);
    const text = await readFile(join(dir, "inbound-2026-03-01.jsonl"), "utf8");
    expect(text.split("\n").filter(Boolean)).toHaveLength(3);
  });

  it("rotate() deletes day files older than the retention", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const h = new History<{ id: number }>(dir, "events", { retentionDays: 3, clock, logger: silentLogger() });
    for (let d = 0; d < 6; d++) {
      await h.append({ id: d });
      await clock.advance(86_400_000);
    }
    expect(await h.rotate()).toBe(3);
    expect((await all(h.read())).map((r) => r.id)).toEqual([3, 4, 5]);
  });

  it("rotate(now) cuts at the moment given, not at the clock's (histories that belong together cut alike)", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
    const h = new History<{ id: number }>(dir, "keys", { retentionDays: 3, clock, logger: silentLogger() });
    for (let d = 0; d < 6; d++) {
      await h.append({ id: d });
      await clock.advance(86_400_000);
    }
    const earlier = clock.now() - 86_400_000;
    expect(await h.rotate(earlier)).toBe(2);
    expect((await all(h.read())).map((r) => r.id)).toEqual([2, 3, 4, 5]);
  });
});
