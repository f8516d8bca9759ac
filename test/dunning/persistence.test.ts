import { describe, it, expect, afterEach } from "vitest";
import { mkdtemp, rm, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/log.js";
import { jsonDocuments } from "../../src/ledger/json-documents.js";
import { makeWorld, berlin, account, invoice } from "./fakes.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe("on disk (src/store JsonStore)", () => {
  it("keeps the ledger, the policy versions and the step memory across a restart, without resending", async () => {
    const dir = await mkdtemp(join(tmpdir(), "duegate-dunning-"));
    dirs.push(dir);
    const docs = Object.assign(jsonDocuments(dir, silentLogger(), 10), { docs: new Map<string, unknown>() });
    const w1 = await makeWorld({ start: berlin("2026-03-05", 11), docs });
    await w1.ledger.upsertAccounts([account("a1", { locale: "de-DE" })]);
    await w1.ledger.upsertInvoices([invoice("i1", "a1", "2026-03-10")]);
    await w1.engine.start();
    await w1.clock.advance(1000);
    await w1.engine.evaluate(); // real file writes take longer than the clock's microtask flush
    expect(w1.outbox.log.map((m) => m.key)).toEqual(["dun:i1:upcoming"]);
    await w1.engine.stop();
    await w1.ledger.close();
    const onDisk = JSON.parse(await readFile(join(dir, "dunning-steps.json"), "utf8")) as {
      invoices: Record<string, { steps: Record<string, string>; lastDay: number }>;
    };
    expect(onDisk.invoices.i1).toMatchObject({ steps: { upcoming: "sent" } });

    const docs2 = Object.assign(jsonDocuments(dir, silentLogger(), 10), { docs: new Map<string, unknown>() });
    const w2 = await makeWorld({ start: 0, clock: w1.clock, docs: docs2, outbox: w1.outbox });
    expect(w2.ledger.account("a1")).toMatchObject({ locale: "de-DE", phones: ["+491701000001"] });
    expect(w2.engine.policyVersion().version).toBe(1);
    await w2.engine.start();
    await w2.clock.advance(3_600_000);
    await w2.engine.evaluate();
    expect(w2.outbox.log.map((m) => m.key)).toEqual(["dun:i1:upcoming"]);
    await w2.engine.stop();
    await w2.ledger.close();
  });
});
