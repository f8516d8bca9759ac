import { describe, it, expect, beforeEach } from "vitest";
import { mkdtemp, readdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RecordDir, resetStoreIoStats, storeIoStats } from "../../src/store/index.js";
import { silentLogger } from "../../src/core/log.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-rd-"));
});

describe("RecordDir", () => {
  it("writes only the changed record, whatever the number of records", async () => {
    const rd = await RecordDir.open<{ id: string; n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    for (let i = 0; i < 200; i++) rd.put(`r${i}`, { id: `r${i}`, n: i });
    await rd.flush();
    resetStoreIoStats();
    rd.get("r5")!.n = 500;
    rd.markDirty("r5");
    await rd.flush();
    expect(storeIoStats().bytesWritten).toBe(JSON.stringify({ id: "r5", n: 500 }).length);
    const again = await RecordDir.open<{ id: string; n: number }>(dir, { logger: silentLogger(), coalesceMs: 10 });
    expect(again.size).toBe(200);
    expect(again.get("r5")!.n).toBe(500);
  });

  it("deletes a record's files at the next flush", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    rd.put("a", { n: 1 });
    await rd.flush();
    rd.get("a")!.n = 2;
    rd.markDirty("a");
    await rd.flush();
    rd.delete("a");
    await rd.flush();
    expect(await readdir(dir)).toEqual([]);
  });

  it("removes at open the .tmp files of writes cut short (a crash before the rename), keeping the records", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    rd.put("kept", { n: 1 });
    await rd.flush();
    await writeFile(join(dir, "kept.json.tmp"), '{"n":2}'); // a rewrite that never got renamed
    await writeFile(join(dir, "never.json.tmp"), '{"n":3'); // an admission that never got renamed (torn)
    const again = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    expect(again.size).toBe(1);
    expect(again.get("kept")).toEqual({ n: 1 });
    expect((await readdir(dir)).sort()).toEqual(["kept.json"]);
  });

  it("falls back to a record's .bak when its file is torn", async () => {
    const rd = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 60_000 });
    rd.put("a", { n: 1 });
    await rd.flush();
    rd.get("a")!.n = 2;
    rd.markDirty("a");
    await rd.flush();
    await writeFile(join(dir, "a.json"), '{"n":');
    const again = await RecordDir.open<{ n: number }>(dir, { logger: silentLogger(), coalesceMs: 10 });
    expect(again.get("a")).toEqual({ n: 1 });
  });
});
