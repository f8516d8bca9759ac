/**
 * The one storage port (src/store/storage.ts): every kind of file lands where the services'
 * files have always been (backups, restores and the docs name these paths), a record document
 * imports the whole-file JSON it replaces, a service handed the port opens its files through
 * it, and one opened with neither a store nor a data directory is refused by name.
 */
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import type { DomainEvents } from "../../src/api/events.js";
import { fileStorage, memoryStorage, storeOf } from "../../src/store/index.js";
import { SuppressionList } from "../../src/consent/index.js";
import { DeskBook } from "../../src/desk/desk-book.js";

let dir: string;
const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-storage-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const store = () => fileStorage({ dataDir: dir, clock, logger: silentLogger(), flushIntervalMs: 10 });

describe("the storage port over the data directory", () => {
  it("keeps each kind of file where it has always been", async () => {
    const s = store();
    const doc = await s.document("desk.json", { version: 1, n: 0 });
    doc.data.n = 7;
    await doc.flush();
    await doc.close();
    const records = await s.recordDocument(
      "suppressions",
      { schema: 1, numbers: {} as Record<string, number> },
      {
        collections: ["numbers"],
      },
    );
    records.data.numbers["+4917612345678"] = 1;
    records.touch?.("numbers", "+4917612345678");
    await records.flush();
    await records.close();
    const history = s.history<{ id: string }>("history", "outbox");
    await history.append({ id: "msg-1" });
    const active = await s.recordJournal<{ id: string }>("outbox/active");
    active.put("msg-2", { id: "msg-2" });
    await active.flush();
    await active.close();

    expect(JSON.parse(await readFile(join(dir, "desk.json"), "utf8"))).toEqual({ version: 1, n: 7 });
    expect((await stat(join(dir, "suppressions"))).isDirectory()).toBe(true);
    expect(await readdir(join(dir, "history"))).toEqual(["outbox-2026-03-10.jsonl"]);
    expect(await readdir(join(dir, "outbox", "active"))).toEqual(["log-000000.jsonl"]);
  });

  it("opens a document again with what was written (a restart)", async () => {
    const first = await store().document("inbound.json", { count: 0 });
    first.data.count = 3;
    await first.flush();
    await first.close();
    const again = await store().document("inbound.json", { count: 0 });
    expect(again.data.count).toBe(3);
    await again.close();
  });

  it("imports the whole-file JSON a record document replaces, once, and removes it", async () => {
    await writeFile(join(dir, "ledger.json"), JSON.stringify({ schema: 1, accounts: { a1: { id: "a1" } } }));
    const doc = await store().recordDocument(
      "ledger",
      { schema: 1, accounts: {} as Record<string, { id: string }> },
      { collections: ["accounts"], importLegacyJson: true },
    );
    expect(doc.data.accounts["a1"]).toEqual({ id: "a1" });
    await doc.close();
    expect(await readdir(dir)).not.toContain("ledger.json");
  });

  it("refuses a service opened with neither a store nor a data directory, saying so", () => {
    let thrown: unknown;
    try {
      storeOf({}, clock, silentLogger());
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DuegateError);
    expect((thrown as DuegateError).code).toBe(ErrorCode.ConfigInvalid);
    expect((thrown as DuegateError).message).toMatch(/neither a store nor a data directory/);
  });
});

describe("services handed the port", () => {
  it("the suppression list keeps its numbers in the store it is given, not in a directory of its own", async () => {
    const memory = memoryStorage();
    const bus = new EventBus<DomainEvents>();
    const list = await SuppressionList.open({ store: memory, clock, bus, logger: silentLogger(), region: "DE" });
    await list.add("+4917612345678", { kind: "api", via: "http", by: "test" });
    expect(Object.keys((memory.docs.get("suppressions")?.data as { numbers: object }).numbers)).toEqual([
      "+4917612345678",
    ]);
    // Opened again on the same store: the STOP is still there.
    const again = await SuppressionList.open({ store: memory, clock, bus, logger: silentLogger(), region: "DE" });
    expect(again.has("+4917612345678")).toBe(true);
  });

  it("the desk book writes desk.json through the file store of the data directory", async () => {
    const bus = new EventBus<DomainEvents>();
    const book = await DeskBook.open({ store: store(), bus, clock, logger: silentLogger() });
    book.addMark({ accountId: "acc-1", mark: "handoff", step: "first", invoiceIds: ["inv-1"], at: clock.now() });
    await book.close();
    const onDisk = JSON.parse(await readFile(join(dir, "desk.json"), "utf8")) as { marks: Record<string, unknown> };
    expect(Object.keys(onDisk.marks)).toEqual(["acc-1"]);
  });
});
