import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import { ErrorCode } from "../../src/core/errors.js";
import type { DomainEvents } from "../../src/api/events.js";
import type { E164 } from "../../src/core/types.js";
import { SuppressionList } from "../../src/consent/index.js";

const NUMBER = "+4917612345678" as E164;
const stop = (inboundId: string) => ({ kind: "sms" as const, inboundId, keyword: "stop" as const });
const start = (inboundId: string) => ({ kind: "sms" as const, inboundId, keyword: "start" as const });

let dirs: string[] = [];
let lists: SuppressionList[] = [];
afterEach(async () => {
  for (const l of lists) await l.close().catch(() => undefined);
  for (const d of dirs) await rm(d, { recursive: true, force: true });
  dirs = [];
  lists = [];
});

async function open(dataDir?: string, bus = new EventBus<DomainEvents>()) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), "duegate-consent-")));
  if (!dataDir) dirs.push(dir);
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
  const list = await SuppressionList.open({
    dataDir: dir,
    clock,
    bus,
    logger: silentLogger(),
    region: "DE",
    coalesceMs: 10,
  });
  lists.push(list);
  return { list, dir, clock, bus };
}

describe("the suppression list", () => {
  it("keys a number by its E.164 form, whatever form it was given in", async () => {
    const { list } = await open();
    await list.add("0176 1234 5678", { kind: "panel", user: "anna" }, "phoned in");
    expect(list.has(NUMBER)).toBe(true);
    expect(list.has("+49 176 12345678")).toBe(true);
    expect(list.has("004917612345678")).toBe(true);
    expect(list.has("+4917612345679")).toBe(false);
    expect(list.has("PayPal")).toBe(false);
    expect(list.get(NUMBER)).toMatchObject({
      number: NUMBER,
      suppressed: true,
      source: { kind: "panel", user: "anna" },
      reason: "phoned in",
    });
  });

  it("is durable: a STOP and a START survive a restart with who, when and why", async () => {
    const first = await open();
    await first.list.add(NUMBER, stop("in_1"));
    await first.clock.set(Date.UTC(2026, 2, 11, 9, 0));
    await first.list.remove(NUMBER, start("in_2"));
    await first.clock.set(Date.UTC(2026, 2, 12, 9, 0));
    await first.list.add("+4915112345678", { kind: "api", via: "http", by: "accounting" });
    await first.list.close();
    lists = lists.filter((l) => l !== first.list);

    const again = await open(first.dir);
    expect(again.list.has(NUMBER)).toBe(false);
    expect(again.list.get(NUMBER)!.changes).toEqual([
      { action: "added", at: Date.UTC(2026, 2, 10, 9, 0), source: stop("in_1") },
      { action: "removed", at: Date.UTC(2026, 2, 11, 9, 0), source: start("in_2") },
    ]);
    expect(again.list.list().items.map((r) => r.number)).toEqual(["+4915112345678"]);
  });

  it("refuses a suppressed number, and lets through only the confirmation of the STOP on record", async () => {
    const { list } = await open();
    expect(list.verdict(NUMBER)).toEqual({ ok: true });
    await list.add(NUMBER, stop("in_1"));
    const refused = list.verdict(NUMBER);
    expect(refused.ok).toBe(false);
    expect(!refused.ok && refused.reason).toMatch(
      /^opted out: \+491\*+78 is on the suppression list since 2026-03-10T09:00:00.000Z \(STOP by SMS in_1\)$/,
    );
    expect(list.verdict(NUMBER, { kind: "stop-confirmation", inboundId: "in_1" })).toEqual({ ok: true });
    // Another SMS's id (a forged or stale exemption) does not pass.
    expect(list.verdict(NUMBER, { kind: "stop-confirmation", inboundId: "in_other" }).ok).toBe(false);
  });

  it("a staff suppression exempts no confirmation, and a removal ends the exemption of an earlier STOP", async () => {
    const { list } = await open();
    await list.add(NUMBER, { kind: "panel", user: "anna" });
    expect(list.verdict(NUMBER, { kind: "stop-confirmation", inboundId: "in_1" }).ok).toBe(false);
    await list.remove(NUMBER, { kind: "panel", user: "anna" });
    await list.add(NUMBER, stop("in_1"));
    await list.remove(NUMBER, start("in_2"));
    await list.add(NUMBER, { kind: "panel", user: "ben" });
    expect(list.verdict(NUMBER, { kind: "stop-confirmation", inboundId: "in_1" }).ok).toBe(false);
  });

  it("publishes consent.changed once per change; a second STOP is recorded but changes nothing", async () => {
    const bus = new EventBus<DomainEvents>();
    const seen: Array<DomainEvents["consent.changed"]> = [];
    bus.on("consent.changed", "test", (e) => void seen.push(e));
    const { list } = await open(undefined, bus);
    expect((await list.add(NUMBER, stop("in_1"))).changed).toBe(true);
    expect((await list.add(NUMBER, stop("in_2"))).changed).toBe(false);
    expect(list.get(NUMBER)!.changes).toHaveLength(2);
    expect(list.get(NUMBER)!.source).toEqual(stop("in_1"));
    expect((await list.remove(NUMBER, start("in_3"))).changed).toBe(true);
    expect((await list.remove(NUMBER, start("in_4"))).changed).toBe(false);
    expect(seen.map((e) => e.suppressed)).toEqual([true, false]);
  });

  it("records a STOP acted on twice (the same SMS after a restart) once", async () => {
    const { list } = await open();
    await list.add(NUMBER, stop("in_1"));
    await list.add(NUMBER, stop("in_1"));
    expect(list.get(NUMBER)!.changes).toHaveLength(1);
  });

  it("says what is wrong with a bad number, and that a number was never listed", async () => {
    const { list } = await open();
    await expect(list.add("12", { kind: "panel", user: "anna" })).rejects.toMatchObject({
      code: ErrorCode.InvalidNumber,
      context: { field: "number" },
    });
    await expect(list.remove(NUMBER, { kind: "panel", user: "anna" })).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
  });
});
