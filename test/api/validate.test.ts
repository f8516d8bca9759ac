import { describe, expect, it } from "vitest";
import { Type } from "@sinclair/typebox";
import { check, compile } from "../../src/api/validate.js";
import { InvoiceUpsert, SendRequest } from "../../src/api/payloads.js";

const invoice = {
  id: "I-1",
  version: 1,
  accountId: "C-1",
  amount: 4990,
  issueDate: "2026-01-05",
  dueDate: "2026-01-19",
};

describe("the one validator module", () => {
  it("names the field and lists the allowed values of a literal union", () => {
    const r = check(InvoiceUpsert, { ...invoice, status: "closed" });
    expect(r).toEqual({
      ok: false,
      problems: [{ field: "/status", reason: 'must be one of "open", "paid", "void", "disputed"' }],
    });
  });

  it("refuses unknown fields and never coerces a JSON payload", () => {
    expect(check(InvoiceUpsert, { ...invoice, amout: 5 })).toMatchObject({
      ok: false,
      problems: [{ field: "/amout", reason: "is not a known field" }],
    });
    expect(check(InvoiceUpsert, { ...invoice, amount: "4990" })).toMatchObject({
      ok: false,
      problems: [{ field: "/amount" }],
    });
    expect(check(SendRequest, { id: "x", to: "+4917612345678", text: "hi", notBefore: "5" }).ok).toBe(false);
  });

  it("reads text input (query strings) as text, and a document with every problem at once", () => {
    const query = Type.Object({ limit: Type.Integer() });
    const text = compile(query, "text");
    const q: Record<string, unknown> = { limit: "5" };
    expect(text(q)).toBe(true);
    expect(q.limit).toBe(5);
    const doc = compile(Type.Object({ a: Type.Integer(), b: Type.String() }), "document");
    expect(doc({ a: "x", b: 1 })).toBe(false);
    expect(doc.errors?.map((e) => e.instancePath).sort()).toEqual(["/a", "/b"]);
  });
});
