/** POST /import/accounts|invoices with a CSV (text/csv) or JSON body; a line-by-line report back. */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { ingestRecords } from "../../bridge/commands.js";
import { rowsFromCsv, rowsFromJson, type ImportKind } from "../import.js";
import type { HttpServices } from "../ports.js";

const ImportReport = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer(),
  unchanged: Type.Integer(),
  stale: Type.Integer(),
  refused: Type.Array(Type.Object({ line: Type.Integer(), id: Type.Optional(Type.String()), field: Type.String(), reason: Type.String() })),
});

export const importRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  const maxRows = services.config.http.importMaxRows;
  app.addContentTypeParser(["text/csv", "text/plain"], { parseAs: "string" }, (_request, body, done) => done(null, body));

  app.post("/import/:kind", {
    preHandler: app.requireWrite,
    schema: {
      tags: ["records"],
      summary: "Bulk import of accounts or invoices from CSV (header row with the field names) or a JSON array",
      params: Type.Object({ kind: Type.Union([Type.Literal("accounts"), Type.Literal("invoices")]) }),
      response: { 200: ImportReport },
    },
    handler: async (request) => {
      const { kind } = request.params as { kind: ImportKind };
      const rows = typeof request.body === "string" ? rowsFromCsv(kind, request.body, maxRows) : rowsFromJson(request.body, maxRows);
      const refused: Array<{ line: number; id?: string; field: string; reason: string }> = [];
      const good = rows.filter((r) => {
        if (r.problem) refused.push({ line: r.line, ...(r.problem.id ? { id: r.problem.id } : {}), field: r.problem.field, reason: r.problem.reason });
        return r.record !== undefined;
      });
      const result = good.length ? await ingestRecords(services.ledger, kind, good.map((r) => r.record), maxRows) : { received: 0, stored: 0, unchanged: 0, stale: 0, refused: [] };
      for (const r of result.refused) {
        const row = good[r.index];
        // The batch pointer "/12/dueDate" becomes the row's own field "/dueDate".
        refused.push({ line: row?.line ?? 0, ...(r.id ? { id: r.id } : {}), field: (r.field ?? "").replace(/^\/\d+/, ""), reason: r.reason });
      }
      refused.sort((a, b) => a.line - b.line);
      return { received: rows.length, stored: result.stored, unchanged: result.unchanged, stale: result.stale, refused };
    },
  });
};
