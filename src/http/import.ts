/**
 * Bulk import of accounts and invoices from CSV or JSON. Each row becomes one record of
 * the same schema the upserts use; the report lists every refused row by its line number
 * with the field and the reason, so that the file can be fixed and sent again (a resend
 * is harmless: a same version is "unchanged").
 */
import { Transform, type Readable } from "node:stream";
import { parse } from "csv-parse";
import { DuegateError, ErrorCode, errorMessage, isDuegateError } from "../core/errors.js";
import { excerpt } from "../core/excerpt.js";

export type ImportKind = "accounts" | "invoices";

type Cell = "string" | "int" | "bool" | "list";
const COLUMNS: Record<ImportKind, Record<string, Cell>> = {
  accounts: {
    id: "string",
    version: "int",
    name: "string",
    phones: "list",
    emails: "list",
    channel: "string",
    locale: "string",
    timeZone: "string",
    currency: "string",
    segment: "string",
    tags: "list",
    noReminders: "bool",
    notes: "string",
  },
  invoices: {
    id: "string",
    version: "int",
    accountId: "string",
    number: "string",
    amount: "int",
    amountDue: "int",
    currency: "string",
    issueDate: "string",
    dueDate: "string",
    status: "string",
    paymentLink: "string",
    directDebit: "bool",
    noReminders: "bool",
  },
};

export interface ImportRow {
  /** Line in the file (CSV, header = line 1) or position in the array (JSON, from 1). */
  line: number;
  record?: Record<string, unknown>;
  problem?: { field: string; reason: string; id?: string };
}

export function rowsFromJson(body: unknown, maxRows: number): ImportRow[] {
  const items = Array.isArray(body)
    ? body
    : body && typeof body === "object" && Array.isArray((body as { items?: unknown }).items)
      ? (body as { items: unknown[] }).items
      : undefined;
  if (!items)
    throw new DuegateError(ErrorCode.PayloadInvalid, "a JSON import is an array of records (or {items: [...]})", {
      field: "",
    });
  if (items.length > maxRows)
    throw new DuegateError(
      ErrorCode.PayloadInvalid,
      `${items.length} records are over the import limit of ${maxRows} (http.importMaxRows): split the file`,
      { field: "" },
    );
  return items.map((record, i) => ({ line: i + 1, record: record as Record<string, unknown> }));
}

/** Rows handed to the ledger at a time: big enough for its write to pay, small enough to yield often. */
export const IMPORT_BATCH_ROWS = 250;
/** Longest CSV row: no account or invoice comes near it; a longer one is a broken file, not a record. */
export const MAX_CSV_ROW_BYTES = 1024 * 1024;

export interface CsvStreamOptions {
  maxRows: number;
  maxBytes: number;
  batchRows?: number;
}

/**
 * Reads a CSV body as it arrives and yields its rows in batches, so that an 80,000-row file
 * is never one string, one array of records or one long task on the event loop. The header is
 * checked before the first batch; a file over maxBytes or maxRows, or unreadable at some line,
 * throws when it gets there (the batches before are the caller's to have applied and report).
 */
export async function* csvBatches(
  kind: ImportKind,
  body: Readable,
  opts: CsvStreamOptions,
): AsyncGenerator<ImportRow[]> {
  const known = COLUMNS[kind];
  const parser = parse({
    columns: true,
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    info: true,
    max_record_size: MAX_CSV_ROW_BYTES,
  });
  const limiter = byteLimit(opts.maxBytes);
  // Not stream.pipeline: on an early end it would destroy the request, and with it the socket
  // the refusal must be sent on. An error of any stage ends the parser, and so the loop below.
  body.on("error", (e) => parser.destroy(e));
  limiter.on("error", (e) => parser.destroy(e));
  body.pipe(limiter).pipe(parser);
  const size = opts.batchRows ?? IMPORT_BATCH_ROWS;
  let batch: ImportRow[] = [];
  let rows = 0;
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number };
    }>) {
      if (rows === 0) {
        const unknown = Object.keys(record).filter((h) => !(h in known));
        if (unknown.length)
          throw new DuegateError(
            ErrorCode.PayloadInvalid,
            `unknown column(s) ${unknown.map((u) => excerpt(u)).join(", ")}; the ${kind} columns are ${Object.keys(known).join(", ")}`,
            { field: `/${excerpt(unknown[0])}` },
          );
      }
      if (++rows > opts.maxRows)
        throw new DuegateError(
          ErrorCode.PayloadInvalid,
          `more than ${opts.maxRows} rows (http.importMaxRows) at line ${info.lines}: split the file`,
          { field: "", line: info.lines },
        );
      batch.push(toRecord(known, record, info.lines));
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
  } catch (e) {
    if (isDuegateError(e)) throw e;
    const line = (e as { lines?: number }).lines;
    throw new DuegateError(
      ErrorCode.PayloadMalformed,
      `the CSV cannot be read${line ? ` at line ${line}` : ""}: ${errorMessage(e)}`,
      { field: "", line },
    );
  } finally {
    // An early end (a refused header, too many rows, too many bytes): the rest of the body is
    // read and dropped, never buffered (the route also closes the connection after its answer).
    body.unpipe(limiter);
    limiter.destroy();
    if (!parser.destroyed) parser.destroy();
    body.resume();
  }
  if (batch.length) yield batch;
}

/** Passes bytes through until there are more than `max`, then fails with a 413 the client can act on. */
function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      if (seen > max)
        return done(
          new DuegateError(
            ErrorCode.PayloadTooLarge,
            `the import is over the limit of ${max} bytes (http.importMaxBytes): split the file`,
            { field: "" },
          ),
        );
      done(null, chunk);
    },
  });
}

function toRecord(columns: Record<string, Cell>, row: Record<string, string>, line: number): ImportRow {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(row)) {
    if (raw === "" || raw === undefined) continue; // an empty cell is an absent field
    const type = columns[name];
    if (type === "int") {
      if (!/^-?\d+$/.test(raw))
        return {
          line,
          problem: {
            field: `/${name}`,
            reason: `"${excerpt(raw)}" is not a whole number${name.startsWith("amount") ? " (amounts are in minor units: 1234 for 12.34)" : ""}`,
            id: row.id,
          },
        };
      out[name] = Number(raw);
    } else if (type === "bool") {
      const v = raw.toLowerCase();
      if (!["true", "false", "1", "0", "yes", "no"].includes(v))
        return { line, problem: { field: `/${name}`, reason: `"${excerpt(raw)}" is not true or false`, id: row.id } };
      out[name] = v === "true" || v === "1" || v === "yes";
    } else if (type === "list")
      out[name] = raw
        .split(/[;|]/)
        .map((s) => s.trim())
        .filter(Boolean);
    else out[name] = raw;
  }
  return { line, record: out };
}
