/**
 * The send-time memory on the card: one record per account in a record log, so that an event
 * writes that account's record only (bytes per event do not grow with the accounts known),
 * the record survives a restart, and an erased account leaves nothing in the files.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { recordDocuments, defaultJournalOptions } from "../../src/ledger/record-documents.js";
import {
  SendTimeMemory,
  emptySendTimeMemory,
  SEND_TIME_COLLECTIONS,
  type SendTimeDocument,
} from "../../src/dunning/send-time/memory.js";
import { DEFAULT_LEARNER } from "../../src/dunning/send-time/learner.js";
import { storeIoStats } from "../../src/store/io-stats.js";
import type { DocumentStore } from "../../src/ledger/ports.js";
import { berlin } from "./fakes.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), "duegate-send-times-"));
  dirs.push(dir);
  const clock = new ManualClock(berlin("2026-03-02", 18));
  const bus = new EventBus<DomainEvents>();
  const open = async () => {
    const doc = (await recordDocuments(
      dir,
      silentLogger(),
      defaultJournalOptions,
      SEND_TIME_COLLECTIONS,
    )("dunning-send-times.json", emptySendTimeMemory())) as DocumentStore<SendTimeDocument>;
    const memory = new SendTimeMemory(doc, {
      bus,
      clock,
      zoneOf: () => "Europe/Berlin",
      settings: () => ({ ...DEFAULT_LEARNER, holdoutPercent: 0 }),
      window: () => ({ first: 8, last: 20 }),
    });
    return { doc, memory };
  };
  const sent = (accountId: string) =>
    bus.emit("message.state", {
      id: "m",
      idempotencyKey: "k",
      state: "submitted",
      to: "+49170",
      origin: { kind: "dunning", accountId },
      parts: 1,
      at: clock.now(),
    });
  return { dir, clock, bus, open, sent };
}

async function filesText(dir: string): Promise<string> {
  const base = join(dir, "dunning-send-times");
  let all = "";
  for (const f of await readdir(base)) all += await readFile(join(base, f), "utf8").catch(() => "");
  return all;
}

describe("send-time memory as a record log", () => {
  it("writes one account's record per event, whether 10 or 3,000 accounts are known", async () => {
    const { open, sent } = await setup();
    const { memory } = await open();
    memory.start();
    const bytesFor = async (from: number, count: number): Promise<number> => {
      const before = storeIoStats().bytesWritten;
      for (let i = from; i < from + count; i++) {
        sent(`acc-${i}`);
        await memory.flush();
      }
      return (storeIoStats().bytesWritten - before) / count;
    };
    const early = await bytesFor(0, 10);
    for (let i = 10; i < 3_000; i++) sent(`acc-${i}`);
    await memory.flush();
    const late = await bytesFor(3_000, 10);
    expect(early).toBeLessThan(1_000);
    expect(late / early).toBeLessThan(1.1);
  });

  it("keeps what was learned across a restart and leaves nothing of an erased account in the files", async () => {
    const { dir, clock, bus, open, sent } = await setup();
    const first = await open();
    first.memory.start();
    sent("acc-keep");
    sent("acc-gone");
    await clock.advance(3_600_000);
    bus.emit("inbound.received", {
      id: "i1",
      from: "+49170",
      text: "paying now",
      receivedAt: clock.now(),
      accountIds: ["acc-keep"],
      incomplete: false,
    });
    await first.memory.flush();
    bus.emit("ledger.changed", { kind: "erasure", id: "h", accountId: "acc-gone", at: clock.now(), stop: "erased" });
    await first.memory.flush();
    first.memory.stop();
    await first.doc.close();

    const again = await open();
    const kept = again.memory.record("acc-keep")!;
    expect(kept.sent[18]).toBe(1);
    expect(kept.worked[18]).toBe(1);
    expect(kept.acted[19]).toBe(1);
    expect(kept.replies).toBe(1);
    expect(again.memory.record("acc-gone")).toBeUndefined();
    expect(await filesText(dir)).not.toContain("acc-gone");
    await again.doc.close();
  });
});
