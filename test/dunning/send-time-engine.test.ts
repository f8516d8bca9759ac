/** The engine with a learned send time: it waits for the debtor's hour, the forecast shows it, the holdout and fixed sequences keep the step's time. */
import { describe, it, expect } from "vitest";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import type { PolicyDocument } from "../../src/dunning/policy-schema.js";
import { localNow } from "../../src/core/calendar.js";
import { makeWorld, berlin, account, invoice, type World } from "./fakes.js";
import { holdoutPosition } from "../../src/dunning/send-time/holdout.js";

const H = 3_600_000;

function policy(sendTime: "fixed" | "learned"): PolicyDocument {
  const p = structuredClone(DEFAULT_POLICY) as PolicyDocument;
  p.sequences[p.defaultSequence]!.sendTime = sendTime;
  return p;
}

/** Three reminders that reached the debtor at 18:xx and were each paid within a day. */
function teach(w: World, accountId: string, from: number): void {
  for (let i = 0; i < 3; i++) {
    const at = from + i * 24 * H;
    w.bus.emit("message.state", {
      id: `old-${i}`,
      idempotencyKey: `old-${i}`,
      state: "submitted",
      to: "+49170",
      origin: { kind: "dunning", accountId },
      parts: 1,
      at,
    });
    w.bus.emit("ledger.changed", { kind: "payment", id: `old-p${i}`, accountId, at: at + 2 * H });
  }
}

// Two ids on either side of a 50% holdout, found by the same hash the engine uses.
const LEARNING_ID = ["a1", "a2", "a3", "a4", "a5", "a6"].find((id) => holdoutPosition(id) >= 0.5)!;
const HOLDOUT_ID = ["a1", "a2", "a3", "a4", "a5", "a6"].find((id) => holdoutPosition(id) < 0.5)!;

async function world(sendTime: "fixed" | "learned") {
  const start = berlin("2026-03-01", 18);
  const w = await makeWorld({
    start,
    policy: policy(sendTime),
    config: { sendTime: { minReminders: 3, responseDays: 3, holdoutPercent: 50 } },
  });
  await w.engine.start();
  for (const id of [LEARNING_ID, HOLDOUT_ID]) teach(w, id, start - 6 * 24 * H);
  await w.ledger.upsertAccounts([account(LEARNING_ID), account(HOLDOUT_ID)]);
  // Due on 2026-03-07: the "upcoming" step (-5 days, 10:00) falls on 2026-03-02.
  await w.ledger.upsertInvoices([
    invoice(`${LEARNING_ID}-i`, LEARNING_ID, "2026-03-07"),
    invoice(`${HOLDOUT_ID}-i`, HOLDOUT_ID, "2026-03-07"),
  ]);
  return w;
}

async function runUntil(w: World, until: number): Promise<void> {
  for (let i = 0; i < 200 && w.clock.now() < until; i++) await w.clock.advance(Math.min(H, until - w.clock.now()));
}

describe("the engine with sendTime: learned", () => {
  it("waits for the debtor's learned hour; the holdout goes at the step's time; the forecast shows both", async () => {
    const w = await world("learned");
    // Learned from events before the account existed: none is counted (no zone to place them in).
    expect(w.engine.sendTimeOf(LEARNING_ID)!.settled).toBe(0);
    // Taught again now that the ledger knows the accounts.
    for (const id of [LEARNING_ID, HOLDOUT_ID]) teach(w, id, berlin("2026-02-20", 18));
    const forecast = w.engine.forecast(3);
    expect(forecast.find((f) => f.accountId === LEARNING_ID)).toMatchObject({
      date: "2026-03-02",
      step: "upcoming",
      time: "18:00",
      learnedTime: true,
    });
    expect(forecast.find((f) => f.accountId === HOLDOUT_ID)).toMatchObject({
      date: "2026-03-02",
      step: "upcoming",
      time: "10:00",
    });
    expect(forecast.find((f) => f.accountId === HOLDOUT_ID)!.learnedTime).toBeUndefined();

    await runUntil(w, berlin("2026-03-02", 17, 30));
    expect(w.outbox.log.map((m) => m.accountId)).toEqual([HOLDOUT_ID]);
    expect(localNow(w.outbox.log[0]!.at, "Europe/Berlin").minute).toBe(10 * 60);
    await runUntil(w, berlin("2026-03-02", 19));
    const learned = w.outbox.log.find((m) => m.accountId === LEARNING_ID)!;
    expect(localNow(learned.at, "Europe/Berlin").minute).toBe(18 * 60);
    expect(w.engine.stepRecords().find((r) => r.accountId === LEARNING_ID)!.learnedTime).toBe(true);
    expect(w.engine.sendTimeOf(LEARNING_ID)).toMatchObject({ learned: true, time: "18:00", group: "learning" });
    expect(w.engine.sendTimeOf(HOLDOUT_ID)).toMatchObject({ learned: false, time: "10:00", group: "holdout" });
    await w.engine.stop();
  });

  it("keeps the step's time for a sequence with sendTime: fixed, whatever was learned", async () => {
    const w = await world("fixed");
    for (const id of [LEARNING_ID, HOLDOUT_ID]) teach(w, id, berlin("2026-02-20", 18));
    expect(w.engine.forecast(3).every((f) => f.time === "10:00" && f.learnedTime === undefined)).toBe(true);
    await runUntil(w, berlin("2026-03-02", 10, 30));
    expect(w.outbox.log.map((m) => m.accountId).sort()).toEqual([LEARNING_ID, HOLDOUT_ID].sort());
    expect(w.engine.sendTimeOf(LEARNING_ID)!.reason).toContain("sendTime: fixed");
    await w.engine.stop();
  });
});
