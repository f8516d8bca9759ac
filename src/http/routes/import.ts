/**
 * POST /import/accounts|invoices with a CSV (text/csv, streamed) or JSON body; a line-by-line
 * report back. Rows are validated and stored a batch at a time, with a turn of the event loop
 * between batches, so that an 80,000-row file neither stalls the API, the panel and the modem's
 * timers for seconds nor holds the whole file in memory (docs/http.md, "Bulk import").
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { Readable } from "node:stream";
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { ingestRecords } from "../../service/index.js";
import { isDuegateError } from "../../core/errors.js";
import { apiErrorHandler, sendError, statusOf } from "../errors.js";
import { csvBatches, IMPORT_BATCH_ROWS, rowsFromJson, type ImportKind, type ImportRow } from "../import.js";
import type { HttpServices } from "../ports.js";

const ImportReport = Type.Object({
  received: Type.Integer(),
  stored: Type.Integer(),
  unchanged: Type.Integer(),
  stale: Type.Integer(),
  refused: Type.Array(
    Type.Object({
      line: Type.Integer(),
      id: Type.Optional(Type.String()),
      field: Type.String(),
      reason: Type.String(),
    }),
  ),
});

interface Report {
  received: number;
  stored: number;
  unchanged: number;
  stale: number;
  refused: Array<{ line: number; id?: string; field: string; reason: string }>;
}

export const importRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  const { http } = services.config;
  // The CSV reaches the handler as the request stream; csvBatches reads and bounds it.
  app.addContentTypeParser(["text/csv", "text/plain"], (_request, payload, done) => done(null, payload));

  /** Validates and stores one batch; the ledger's write is durable when it resolves. */
  const applyBatch = async (kind: ImportKind, rows: ImportRow[], report: Report): Promise<void> => {
    report.received += rows.length;
    const good = rows.filter((r) => {
      if (r.problem)
        report.refused.push({
          line: r.line,
          ...(r.problem.id ? { id: r.problem.id } : {}),
          field: r.problem.field,
          reason: r.problem.reason,
        });
      return r.record !== undefined;
    });
    if (!good.length) return;
    const result = await ingestRecords(
      services.ledger,
      kind,
      good.map((r) => r.record),
      good.length,
    );
    report.stored += result.stored;
    report.unchanged += result.unchanged;
    report.stale += result.stale;
    for (const r of result.refused) {
      const row = good[r.index];
      // The batch pointer "/12/dueDate" becomes the row's own field "/dueDate".
      report.refused.push({
        line: row?.line ?? 0,
        ...(r.id ? { id: r.id } : {}),
        field: (r.field ?? "").replace(/^\/\d+/, ""),
        reason: r.reason,
      });
    }
  };

  app.post("/import/:kind", {
    config: { scope: "write" },
    schema: {
      tags: ["records"],
      summary:
        "Bulk import of accounts or invoices from CSV (header row with the field names; streamed, up to http.importMaxBytes) or a JSON array (up to http.bodyLimitBytes)",
      params: Type.Object({ kind: Type.Union([Type.Literal("accounts"), Type.Literal("invoices")]) }),
      response: { 200: ImportReport },
    },
    handler: async (request, reply) => {
      const { kind } = request.params as { kind: ImportKind };
      const report: Report = { received: 0, stored: 0, unchanged: 0, stale: 0, refused: [] };
      const streamed = typeof (request.body as Readable | undefined)?.pipe === "function";
      const batches: AsyncIterable<ImportRow[]> | Iterable<ImportRow[]> = streamed
        ? csvBatches(kind, request.body as Readable, { maxRows: http.importMaxRows, maxBytes: http.importMaxBytes })
        : chunks(rowsFromJson(request.body, http.importMaxRows), IMPORT_BATCH_ROWS);
      try {
        for await (const rows of batches) {
          await applyBatch(kind, rows, report);
          // A turn of the event loop: other requests, the modem and the outbox run between batches.
          await nextTurn();
        }
      } catch (e) {
        if (!isDuegateError(e)) throw e;
        // Batches before the problem are stored (a resend of the whole file is harmless: same
        // versions are "unchanged"); the answer says so, with what was done in `result`.
        if (streamed) reply.header("connection", "close");
        if (report.received === 0) return apiErrorHandler(e, request, reply);
        const field = typeof e.context.field === "string" ? e.context.field : "";
        return sendError(
          reply,
          statusOf(e),
          e.code,
          `${e.message} (the ${report.received} rows before were imported: see result)`,
          field,
          { result: sorted(report) },
        );
      }
      return sorted(report);
    },
  });
};

function sorted(report: Report): Report {
  report.refused.sort((a, b) => a.line - b.line);
  return report;
}

function* chunks<T>(items: T[], size: number): Iterable<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
