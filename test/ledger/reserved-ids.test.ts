/**
 * Ids are keys of plain JSON objects in the ledger's documents: a name every object already
 * carries ("toString", "constructor", "__proto__") must never read as a record, and the three
 * that would reach the prototype are refused at the edge with the field named.
 */
import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { memoryDocuments } from "../../src/ledger/ports.js";
import { AccountUpsert } from "../../src/api/payloads.js";
import { check } from "../../src/api/validate.js";

async function ledger(): Promise<Ledger> {
  return Ledger.open({
    dataDir: "/x",
    clock: new ManualClock(Date.UTC(2026, 2, 10, 9)),
    bus: new EventBus<DomainEvents>(),
    logger: silentLogger(),
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: memoryDocuments(),
  });
}

describe("ids that objects already carry", () => {
  it("name no account, invoice or balance", async () => {
    const l = await ledger();
    for (const id of ["toString", "constructor", "hasOwnProperty", "__proto__", "valueOf"]) {
      expect(l.account(id), id).toBeUndefined();
      expect(l.invoice(id), id).toBeUndefined();
      expect(l.invoicesOf(id), id).toEqual([]);
    }
  });

  it("payments naming such an account or invoice are refused as unknown, not stored against Object.prototype", async () => {
    const l = await ledger();
    const r = await l.recordPayments([
      { id: "p1", accountId: "toString", amount: 100, date: "2026-03-10" },
      { id: "p2", invoiceId: "constructor", amount: 100, date: "2026-03-10" },
    ]);
    expect(r.applied).toEqual([]);
    expect(r.refused.map((x) => x.id)).toEqual(["p1", "p2"]);
  });

  it("refuses __proto__, constructor and prototype as ids at the edge, naming the field", () => {
    for (const id of ["__proto__", "constructor", "prototype"]) {
      // Through JSON, as the adapters receive it: a literal "__proto__" key would set the prototype here.
      const r = check(
        AccountUpsert,
        JSON.parse(JSON.stringify({ version: 1, name: "X", phones: ["+491701234567"] }).replace("{", `{"id":"${id}",`)),
      );
      expect(r.ok, id).toBe(false);
      if (!r.ok) expect(r.problems[0]?.field, id).toBe("/id");
    }
    expect(check(AccountUpsert, { id: "toString", version: 1, name: "X", phones: ["+491701234567"] }).ok).toBe(true);
  });
});
