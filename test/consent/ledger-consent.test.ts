import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { Ledger, memoryDocuments } from "../../src/ledger/index.js";
import { SuppressionList } from "../../src/consent/index.js";

const STOPPED = "+4917612345678";
let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), "duegate-ledger-consent-"));
  dirs.push(dir);
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
  const bus = new EventBus<DomainEvents>();
  const optouts: Array<DomainEvents["account.optout"]> = [];
  bus.on("account.optout", "test", (e) => void optouts.push(e));
  const consent = await SuppressionList.open({
    dataDir: dir,
    clock,
    bus,
    logger: silentLogger(),
    region: "DE",
    coalesceMs: 10,
  });
  const ledger = await Ledger.open({
    dataDir: dir,
    clock,
    bus,
    logger: silentLogger(),
    consent,
    openDocument: memoryDocuments(),
    defaults: { region: "DE", locale: "de-DE", currency: "EUR", timeZone: "Europe/Berlin" },
  });
  await consent.add(STOPPED, { kind: "sms", inboundId: "in_1", keyword: "stop" });
  return { ledger, consent, optouts };
}

describe("accounts stored after a number opted out", () => {
  it("a new account with the suppressed number (in any form) is opted out, and account.optout says why", async () => {
    const { ledger, optouts } = await setUp();
    await ledger.upsertAccounts([
      { id: "A1", version: 1, name: "Alice", phones: ["0176 12345678"] },
      { id: "B1", version: 1, name: "Bob", phones: ["+4915112345678"] },
    ]);
    expect(ledger.account("A1")).toMatchObject({ optedOut: true, optOutSource: "suppression-list" });
    expect(ledger.account("B1")!.optedOut).toBe(false);
    expect(optouts).toEqual([
      expect.objectContaining({ accountId: "A1", number: STOPPED, optedOut: true, source: "suppression-list" }),
    ]);
  });

  it("an existing account that gains the suppressed number is opted out; one that keeps its numbers keeps its own opt-out state", async () => {
    const { ledger } = await setUp();
    await ledger.upsertAccounts([{ id: "A1", version: 1, name: "Alice", phones: ["+4915112345678"] }]);
    expect(ledger.account("A1")!.optedOut).toBe(false);
    await ledger.upsertAccounts([{ id: "A1", version: 2, name: "Alice", phones: ["+4915112345678", STOPPED] }]);
    expect(ledger.account("A1")!.optedOut).toBe(true);
    // Staff opted the account back in on purpose; a later update with the same numbers does not undo that.
    await ledger.setOptOut({ accountId: "A1" }, false, "panel");
    await ledger.upsertAccounts([{ id: "A1", version: 3, name: "Alice B.", phones: ["+4915112345678", STOPPED] }]);
    expect(ledger.account("A1")!.optedOut).toBe(false);
  });
});
