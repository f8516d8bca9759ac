/**
 * The step memory on the card: journalled record by record (src/store/record-document.ts),
 * so that a reminder writes its own record and not the whole memory, and the first format
 * (one JSON file with the records as an array) is taken over once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm, writeFile, access } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/log.js";
import { recordDocuments, defaultJournalOptions } from "../../src/ledger/record-documents.js";
import {
  StepMemory,
  emptyStepMemory,
  STEP_MEMORY_COLLECTIONS,
  type StepRecord,
} from "../../src/dunning/step-memory.js";
import { storeIoStats } from "../../src/store/io-stats.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "duegate-steps-"));
  dirs.push(d);
  return d;
}

const open = (dir: string) =>
  recordDocuments(
    dir,
    silentLogger(),
    defaultJournalOptions,
    STEP_MEMORY_COLLECTIONS,
  )("dunning-steps.json", emptyStepMemory());

function stepRecord(i: number, state: StepRecord["state"] = "enqueued"): StepRecord {
  return {
    key: `dun:inv-${i}:overdue-7`,
    accountId: `acc-${i}`,
    invoiceIds: [`inv-${i}`],
    stepId: "overdue-7",
    date: "2026-03-10",
    at: 1_773_100_000_000 + i,
    policyVersion: 1,
    amountDue: 4_990,
    currency: "EUR",
    state,
    covers: [{ invoiceId: `inv-${i}`, stepId: "overdue-7", stepDay: 20_500 }],
  };
}

describe("step memory as a record log", () => {
  it("writes about one record's bytes per reminder, whether 10 or 3,000 steps are already recorded", async () => {
    const memory = new StepMemory(await open(await tempDir()));
    const bytesFor = async (from: number, count: number): Promise<number> => {
      const before = storeIoStats().bytesWritten;
      for (let i = from; i < from + count; i++) {
        memory.add(stepRecord(i), 20_500);
        await memory.flush();
      }
      return (storeIoStats().bytesWritten - before) / count;
    };
    const early = await bytesFor(0, 10);
    for (let i = 10; i < 3_000; i++) memory.add(stepRecord(i), 20_500);
    await memory.flush();
    const late = await bytesFor(3_000, 10);
    expect(early).toBeLessThan(1_000);
    expect(late / early).toBeLessThan(1.1);
  });

  it("keeps records, settlements and erasures across a reopen", async () => {
    const dir = await tempDir();
    const doc = await open(dir);
    const memory = new StepMemory(doc);
    memory.add(stepRecord(1, "pending"), 20_500);
    memory.add(stepRecord(2), 20_500);
    memory.settle(stepRecord(1).key, "enqueued", "msg-1");
    memory.eraseAccount("acc-2", ["inv-2"]);
    await doc.close();

    const again = new StepMemory(await open(dir));
    expect(again.records().map((r) => [r.key, r.state, r.messageId])).toEqual([
      [stepRecord(1).key, "enqueued", "msg-1"],
    ]);
    expect(again.invoice("inv-1")).toEqual({ steps: { "overdue-7": "sent" }, lastDay: 20_500 });
    expect(again.invoice("inv-2")).toBeUndefined();
    expect(again.hasAccount("acc-2")).toBe(false);
  });

  it("takes over the first format (one file, records in an array) once, and removes the file", async () => {
    const dir = await tempDir();
    const legacy = {
      schema: 1,
      invoices: { "inv-7": { steps: { "overdue-7": "sent" }, lastDay: 20_500 } },
      accounts: { "acc-7": 20_500 },
      records: [stepRecord(7), stepRecord(8, "pending")],
    };
    await writeFile(join(dir, "dunning-steps.json"), JSON.stringify(legacy));
    const doc = await open(dir);
    const memory = new StepMemory(doc);
    expect(memory.record(stepRecord(8).key)?.state).toBe("pending");
    expect(memory.pending().map((r) => r.key)).toEqual([stepRecord(8).key]);
    await doc.close();
    await expect(access(join(dir, "dunning-steps.json"))).rejects.toThrow();

    const again = new StepMemory(await open(dir));
    expect(Object.keys((again as unknown as { doc: { data: { records: object } } }).doc.data.records)).toEqual([
      stepRecord(7).key,
      stepRecord(8).key,
    ]);
    expect(again.lastMessageDay("acc-7")).toBe(20_500);
  });
});
