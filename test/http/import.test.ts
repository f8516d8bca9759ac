import { afterEach, describe, expect, it } from "vitest";
import { bearer, harness, type Harness } from "./helpers.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.app.close();
  h = undefined;
});

const csv = (rows: string[]) => ({ "content-type": "text/csv" as const, payload: rows.join("\n") + "\n" });

describe("bulk import", () => {
  it("imports accounts and invoices from CSV and reports each refused line with field and reason", async () => {
    h = await harness();
    const acc = csv([
      "id,version,name,phones,tags",
      "A1,1,Anna,+4917612345678;+4917612345679,vip",
      "A2,1,Ben,+4917611111111,",
      "A3,x,Carl,+4917622222222,",
    ]);
    const r1 = await h.app.inject({
      method: "POST",
      url: "/api/v1/import/accounts",
      headers: { ...bearer(h.write), "content-type": acc["content-type"] },
      payload: acc.payload,
    });
    expect(r1.statusCode).toBe(200);
    expect(r1.json()).toMatchObject({ received: 3, stored: 2, refused: [{ line: 4, field: "/version" }] });
    expect(h.s.ledger.account("A1")?.phones).toHaveLength(2);

    const inv = csv([
      "id,version,accountId,amount,issueDate,dueDate",
      "I1,1,A1,1250,2026-01-01,2026-02-01",
      "I2,1,A1,12.50,2026-01-01,2026-02-01",
      "I3,1,NOPE,100,2026-01-01,2026-02-01",
      "I4,1,A2,100,2026-01-01,01.02.2026",
    ]);
    const r2 = await h.app.inject({
      method: "POST",
      url: "/api/v1/import/invoices",
      headers: { ...bearer(h.write), "content-type": inv["content-type"] },
      payload: inv.payload,
    });
    const body = r2.json();
    expect(body).toMatchObject({ received: 4, stored: 1 });
    expect(body.refused.map((r: { line: number; field: string }) => [r.line, r.field])).toEqual([
      [3, "/amount"],
      [4, "/accountId"],
      [5, "/dueDate"],
    ]);
    expect(body.refused[0].reason).toMatch(/minor units/);
  });

  it("refuses an unknown column, naming it", async () => {
    h = await harness();
    const r = await h.app.inject({
      method: "POST",
      url: "/api/v1/import/accounts",
      headers: { ...bearer(h.write), "content-type": "text/csv" },
      payload: "id,version,name,phone\nA1,1,Anna,+49176\n",
    });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ error: { field: "/phone" } });
    expect(r.json().error.message).toMatch(/unknown column/);
  });

  it("imports a JSON array with line numbers from 1", async () => {
    h = await harness();
    const r = await h.app.inject({
      method: "POST",
      url: "/api/v1/import/accounts",
      headers: bearer(h.write),
      payload: [
        { id: "A1", version: 1, name: "A", phones: ["+4917612345678"] },
        { id: "A2", name: "B", phones: ["+4917612345679"] },
      ],
    });
    expect(r.json()).toMatchObject({ received: 2, stored: 1, refused: [{ line: 2, field: "/version" }] });
  });
});
