import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { SuppressionList } from "../../src/consent/index.js";
import { ALICE, FakeLedger, START, STRANGER, account, invoice, rig } from "./fakes.js";

let dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
});

async function setUp() {
  const dir = await mkdtemp(join(tmpdir(), "duegate-inbound-consent-"));
  dirs.push(dir);
  const clock = new ManualClock(START);
  const consent = await SuppressionList.open({
    dataDir: dir,
    clock,
    bus: new EventBus<DomainEvents>(),
    logger: silentLogger(),
    region: "DE",
    coalesceMs: 10,
  });
  const ledger = new FakeLedger().add(account("HOME-1", [ALICE]), invoice("H1", "HOME-1", 4_200, "2026-06-15"));
  const r = await rig({ ledger, clock, consent });
  return { r, consent, ledger };
}

describe("keywords and the suppression list", () => {
  it("STOP from a number on no account suppresses that number and opts out no account", async () => {
    const { r, consent, ledger } = await setUp();
    await r.receive(STRANGER, "STOP");
    expect(consent.get(STRANGER)).toMatchObject({
      suppressed: true,
      source: { kind: "sms", keyword: "stop", inboundId: r.inbound.list({}).items[0]!.id },
    });
    expect(ledger.accounts.get("HOME-1")!.optedOut).toBe(false);
    expect(r.inbound.list({}).items[0]!.action!.accountIds).toEqual([]);
  });

  it("STOP from a number on file suppresses it, opts out its account, and marks its confirmation as the one exempt message", async () => {
    const { r, consent, ledger } = await setUp();
    await r.receive(ALICE, "stop");
    const inboundId = r.inbound.list({}).items[0]!.id;
    expect(consent.has(ALICE)).toBe(true);
    expect(ledger.accounts.get("HOME-1")!.optedOut).toBe(true);
    const [confirmation] = r.outbox.to(ALICE);
    expect(confirmation!.consentExemption).toEqual({ kind: "stop-confirmation", inboundId });
    expect(consent.verdict(confirmation!.to, confirmation!.consentExemption).ok).toBe(true);
  });

  it("START lifts only the number that sent it", async () => {
    const { r, consent } = await setUp();
    await consent.add(STRANGER, { kind: "panel", user: "anna" });
    await r.receive(ALICE, "STOP");
    await r.receive(ALICE, "START");
    expect(consent.has(ALICE)).toBe(false);
    expect(consent.has(STRANGER)).toBe(true);
    // Its START reply is not exempt and needs none: the number may be texted again.
    expect(
      r.outbox.to(ALICE).find((m) => m.origin.kind === "keyword-reply" && m.origin.keyword === "start")!
        .consentExemption,
    ).toBeUndefined();
  });

  it.each(["PAID", "PROMISE 25/06", "DISPUTE not mine"])(
    "%j from a number not on file changes nothing and waits for a person as unverified",
    async (text) => {
      const { r, ledger } = await setUp();
      await r.receive(STRANGER, text);
      expect(ledger.pauses).toEqual([]);
      expect(ledger.disputes).toEqual([]);
      expect(ledger.optOuts).toEqual([]);
      const [item] = r.inbound.list({ needsStaff: true }).items;
      expect(item!.action).toMatchObject({
        unverified: true,
        accountIds: [],
        summary: expect.stringMatching(/^unverified/),
      });
      expect(r.events.find((e) => e.event === "keyword.action")!.payload).toMatchObject({
        unverified: true,
        accountIds: [],
      });
    },
  );

  it("PAID from the number on file still pauses its account (not unverified)", async () => {
    const { r, ledger } = await setUp();
    await r.receive(ALICE, "PAID");
    expect(ledger.pauses.map((p) => p.accountId)).toEqual(["HOME-1"]);
    expect(r.inbound.list({}).items[0]!.action!.unverified).toBeUndefined();
  });
});
