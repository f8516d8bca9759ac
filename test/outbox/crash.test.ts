import { describe, it, expect } from "vitest";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { OutboxMessage } from "../../src/outbox/index.js";
import { activeOnDisk } from "../support/outbox-disk.js";

const CHILD = join(import.meta.dirname, "fixtures", "crash-child.ts");

interface Run {
  stdout: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs the child; kills it with SIGKILL once `killWhen` says so (checked every 5 ms). Bounded by 90 s. */
function runChild(args: string[], killWhen?: (stdout: string) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    // node itself with tsx's loader, not `npx tsx`: SIGKILL must hit the process that runs the
    // outbox (npx's npm and tsx's launcher are parents that a kill would leave it running under).
    const child = spawn(process.execPath, ["--import", "tsx", CHILD, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      detached: false,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const poll = killWhen
      ? setInterval(() => {
          if (killWhen(stdout)) {
            clearInterval(poll);
            child.kill("SIGKILL");
          }
        }, 5)
      : undefined;
    const guard = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not finish: ${stderr}`));
    }, 90_000);
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (poll) clearInterval(poll);
      clearTimeout(guard);
      if (code !== 0 && signal !== "SIGKILL") reject(new Error(`child failed (${code}): ${stderr}`));
      else resolve({ stdout, code, signal });
    });
  });
}

async function airLines(log: string): Promise<string[]> {
  return existsSync(log) ? (await readFile(log, "utf8")).split("\n").filter(Boolean) : [];
}

async function finished(dataDir: string): Promise<Map<string, OutboxMessage>> {
  const out = new Map<string, OutboxMessage>();
  const dir = join(dataDir, "history");
  for (const f of existsSync(dir) ? await readdir(dir) : []) {
    for (const line of (await readFile(join(dir, f), "utf8")).split("\n").filter(Boolean)) {
      const m = (JSON.parse(line) as { record: OutboxMessage }).record;
      out.set(m.idempotencyKey, m);
    }
  }
  return out;
}

describe.each(["fail", "resend"] as const)("crash recovery (kill -9 mid-batch, outbox.inDoubt = %s)", (inDoubt) => {
  it("loses nothing acknowledged and submits nothing twice", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "duegate-crash-"));
    const log = join(dataDir, "air.log");
    await writeFile(log, "");
    const count = 30;
    let lines = 0;
    const first = await runChild([dataDir, log, String(count), "enqueue", inDoubt], () => {
      // Read synchronously-enough: the log only grows; kill once a third of the parts are out.
      void airLines(log).then((l) => (lines = l.length));
      return lines >= 12;
    });
    expect(first.signal).toBe("SIGKILL");
    const acked = first.stdout
      .split("\n")
      .filter((l) => l.startsWith("ack "))
      .map((l) => l.slice(4));
    expect(acked.length).toBe(count); // enqueueing is quicker than sending: all were accepted before the kill
    const totalParts = count + Math.ceil(count / 3); // every third message has 2 parts
    const afterKill = (await airLines(log)).length;
    expect(afterKill).toBeLessThan(totalParts); // killed mid-batch

    const second = await runChild([dataDir, log, String(count), "resume", inDoubt]);
    // A restart that has not finished the batch in time says so here, not as a "lost" message below.
    expect(second.stdout.trim().split("\n").at(-1)).toBe("done");

    const air = await airLines(log);
    expect(air.length).toBeGreaterThan(afterKill); // the restart sent the rest
    const dupes = air.filter((p, i) => air.indexOf(p) !== i);
    const done = await finished(dataDir);
    for (const key of acked) expect(done.has(key), `message ${key} lost`).toBe(true);
    const states = [...done.values()].map((m) => m.state);
    const inDoubtFailed = [...done.values()].filter((m) => m.state === "failed");
    if (inDoubt === "fail") {
      expect(dupes).toEqual([]); // never a duplicate
      expect(inDoubtFailed.length).toBeLessThanOrEqual(1);
      for (const m of inDoubtFailed) expect(m.failureReason).toMatch(/^in doubt/);
    } else {
      // resend: only the one part that was at the modem at the kill may go out twice.
      expect(dupes.length).toBeLessThanOrEqual(1);
      expect(inDoubtFailed).toEqual([]);
    }
    expect(states.filter((s) => s === "submitted").length + inDoubtFailed.length).toBe(count);
    // Every submitted message's parts are on the air, in order.
    for (const m of done.values())
      if (m.state === "submitted") expect(m.parts.every((p) => p.reference !== undefined)).toBe(true);
    expect([...(await activeOnDisk(dataDir)).keys()]).toEqual([]);
  }, 120_000);
});

describe("crash recovery of batch admissions (kill -9 while enqueueMany writes, outbox.inDoubt = fail)", () => {
  it("each message admitted whole or not at all: a retry of everything admits the rest, blocks on nothing, sends nothing twice", async () => {
    const count = 60; // three batches of 20
    const acks = (out: string): string[] =>
      out
        .split("\n")
        .filter((l) => l.startsWith("ack "))
        .map((l) => l.split(" ")[1]!);
    let midBatch = 0;
    // Killed some ms after the first batch is acknowledged: a batch takes ~15-20 ms here, so the
    // later delays land while the second one is being written (key lines durable, the records'
    // append not yet, or the other way round).
    for (const delay of [10, 14, 18]) {
      const dataDir = await mkdtemp(join(tmpdir(), "duegate-crash-batch-"));
      const log = join(dataDir, "air.log");
      await writeFile(log, "");
      let seen: number | undefined;
      const first = await runChild([dataDir, log, String(count), "batch", "fail"], (out) => {
        if (acks(out).length >= 20) seen ??= Date.now();
        return seen !== undefined && Date.now() - seen >= delay;
      });
      expect(first.signal).toBe("SIGKILL");
      const acked = acks(first.stdout);
      expect(acked.length).toBeGreaterThanOrEqual(20);
      const keyLines = (await readdir(join(dataDir, "outbox"))).filter((f) => f.startsWith("outbox-keys-"));
      let keys = 0;
      for (const f of keyLines)
        keys += (await readFile(join(dataDir, "outbox", f), "utf8")).split("\n").filter(Boolean).length;
      if (keys > acked.length || (await activeOnDisk(dataDir)).size > acked.length) midBatch++;

      const second = await runChild([dataDir, log, String(count), "batch-retry", "fail"]);
      expect(second.stdout).toContain("done");
      const retry = /retry queued=(\d+) duplicate=(\d+) refused=(\d+)/.exec(second.stdout);
      expect(retry).not.toBeNull();
      const [queued, duplicate, refused] = retry!.slice(1).map(Number) as [number, number, number];
      expect(refused).toBe(0); // no orphan key blocks a retry
      expect(queued + duplicate).toBe(count);
      expect(duplicate).toBeGreaterThanOrEqual(acked.length); // everything acknowledged was kept

      const air = await airLines(log);
      expect(air.filter((p, i) => air.indexOf(p) !== i)).toEqual([]); // nothing sent twice
      // One message per key in the history, each submitted (or the in-doubt one failed).
      const idsByKey = new Map<string, Set<string>>();
      for (const f of await readdir(join(dataDir, "history"))) {
        for (const line of (await readFile(join(dataDir, "history", f), "utf8")).split("\n").filter(Boolean)) {
          const m = (JSON.parse(line) as { record: OutboxMessage }).record;
          idsByKey.set(m.idempotencyKey, (idsByKey.get(m.idempotencyKey) ?? new Set()).add(m.id));
        }
      }
      expect(idsByKey.size).toBe(count);
      for (const [key, ids] of idsByKey) expect(ids.size, `key ${key}`).toBe(1);
      const done = await finished(dataDir);
      const failed = [...done.values()].filter((m) => m.state === "failed");
      expect(failed.length).toBeLessThanOrEqual(1);
      for (const m of failed) expect(m.failureReason).toMatch(/^in doubt/);
      expect([...done.values()].filter((m) => m.state === "submitted").length + failed.length).toBe(count);
      expect([...(await activeOnDisk(dataDir)).keys()]).toEqual([]);
      await rm(dataDir, { recursive: true, force: true });
      if (midBatch > 0) break;
    }
    // Timing on a shared machine: say so rather than fail when no kill landed inside a write.
    if (midBatch === 0) console.warn("crash batch test: no kill landed inside a batch's write this time");
  }, 180_000);
});
