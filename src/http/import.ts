/**
 * Bulk import of accounts and invoices from CSV or JSON. Each row becomes one record of
 * the same schema the upserts use; the report lists every refused row by its line number
 * with the field and the reason, so that the file can be fixed and sent again (a resend
 * is harmless: a same version is "unchanged").
 */
import { parse } from "csv-parse/sync";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";

export type ImportKind = "accounts" | "invoices";

type Cell = "string" | "int" | "bool" | "list";
const COLUMNS: Record<ImportKind, Record<string, Cell>> = {
  accounts: { id: "string", version: "int", name: "string", phones: "list", emails: "list", channel: "string", locale: "string", timeZone: "string", currency: "string", segment: "string", tags: "list", noReminders: "bool", notes: "string" },
  invoices: { id: "string", version: "int", accountId: "string", number: "string", amount: "int", amountDue: "int", currency: "string", issueDate: "string", dueDate: "string", status: "string", paymentLink: "string", directDebit: "bool", noReminders: "bool" },
};

export interface ImportRow {
  /** Line in the file (CSV, header = line 1) or position in the array (JSON, from 1). */
  line: number;
  record?: Record<string, unknown>;
  problem?: { field: string; reason: string; id?: string };
}

export function rowsFromJson(body: unknown, maxRows: number): ImportRow[] {
  const items = Array.isArray(body) ? body : body && typeof body === "object" && Array.isArray((body as { items?: unknown }).items) ? (body as { items: unknown[] }).items : undefined;
  if (!items) throw new DuegateError(ErrorCode.PayloadInvalid, "a JSON import is an array of records (or {items: [...]})", { field: "" });
  if (items.length > maxRows) throw new DuegateError(ErrorCode.PayloadInvalid, `${items.length} records are over the import limit of ${maxRows} (http.importMaxRows): split the file`, { field: "" });
  return items.map((record, i) => ({ line: i + 1, record: record as Record<string, unknown> }));
}

export function rowsFromCsv(kind: ImportKind, text: string, maxRows: number): ImportRow[] {
  let parsed: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    parsed = parse(text, { columns: true, bom: true, trim: true, skip_empty_lines: true, relax_column_count: true, info: true, to: maxRows + 1 });
  } catch (e) {
    const line = (e as { lines?: number }).lines;
    throw new DuegateError(ErrorCode.PayloadMalformed, `the CSV cannot be read${line ? ` at line ${line}` : ""}: ${errorMessage(e)}`, { field: "", line });
  }
  if (parsed.length > maxRows) throw new DuegateError(ErrorCode.PayloadInvalid, `more than ${maxRows} rows (http.importMaxRows): split the file`, { field: "" });
  const known = COLUMNS[kind];
  const header = Object.keys(parsed[0]?.record ?? {});
  const unknown = header.filter((h) => !(h in known));
  if (unknown.length) throw new DuegateError(ErrorCode.PayloadInvalid, `unknown column(s) ${unknown.join(", ")}; the ${kind} columns are ${Object.keys(known).join(", ")}`, { field: `/${unknown[0]}` });
  return parsed.map(({ record, info }) => toRecord(known, record, info.lines));
}

function toRecord(columns: Record<string, Cell>, row: Record<string, string>, line: number): ImportRow {
  const out: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(row)) {
    if (raw === "" || raw === undefined) continue; // an empty cell is an absent field
    const type = columns[name];
    if (type === "int") {
      if (!/^-?\d+$/.test(raw)) return { line, problem: { field: `/${name}`, reason: `"${raw}" is not a whole number${name.startsWith("amount") ? " (amounts are in minor units: 1234 for 12.34)" : ""}`, id: row.id } };
      out[name] = Number(raw);
    } else if (type === "bool") {
      const v = raw.toLowerCase();
      if (!["true", "false", "1", "0", "yes", "no"].includes(v)) return { line, problem: { field: `/${name}`, reason: `"${raw}" is not true or false`, id: row.id } };
      out[name] = v === "true" || v === "1" || v === "yes";
    } else if (type === "list") out[name] = raw.split(/[;|]/).map((s) => s.trim()).filter(Boolean);
    else out[name] = raw;
  }
  return { line, record: out };
}
