/**
 * A setting in a person's words: what kind of input it takes, its valid range ("between 1 and
 * 60 minutes", "a time like 08:00", never a regular expression) and the refusal of a bad value
 * naming the field by its label. Read from the schema and its facts (src/config/setting-facts.ts),
 * so the form, its hints and the server's errors say the same thing.
 */
import type { TSchema } from "@sinclair/typebox";
import { SECRET_SETTINGS, settingEntry } from "./settings-catalog.js";
import type { SettingFacts } from "./setting-facts.js";

interface Node {
  type?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  items?: Node;
  anyOf?: Node[];
  const?: unknown;
  patternProperties?: unknown;
}

/** How the Settings page asks for a value. */
export type SettingKind = "switch" | "whole-number" | "number" | "text" | "choice" | "list" | "number-list" | "json";

export function kindOf(schema: TSchema): SettingKind {
  const n = schema as Node;
  if (n.anyOf) return "choice";
  if (n.type === "boolean") return "switch";
  if (n.type === "integer") return "whole-number";
  if (n.type === "number") return "number";
  if (n.type === "array") return n.items?.type === "integer" || n.items?.type === "number" ? "number-list" : "list";
  if (n.type === "object") return "json";
  return "text";
}

/** The fixed choices of a setting ("starttls", "tls", "none") with their words. */
export function choicesOf(schema: TSchema, f: SettingFacts | undefined): Array<{ value: unknown; label: string }> {
  return ((schema as Node).anyOf ?? [])
    .filter((a) => a.const !== undefined)
    .map((a) => ({ value: a.const, label: f?.choices?.[String(a.const)] ?? String(a.const) }));
}

const withUnit = (n: number, f: SettingFacts | undefined): string => (f?.unit ? `${n} ${f.unit}` : String(n));

/** What a valid value is, in words: "a whole number between 1 and 60 minutes". */
export function expectedInWords(schema: TSchema, f: SettingFacts | undefined): string {
  const n = schema as Node;
  const kind = kindOf(schema);
  if (f?.format) return f.format;
  if (kind === "switch") return "on or off";
  if (kind === "choice")
    return `one of: ${choicesOf(schema, f)
      .map((c) => c.label)
      .join(", ")}`;
  if (kind === "whole-number" || kind === "number") {
    const what = kind === "whole-number" ? "a whole number" : "a number";
    if (n.minimum !== undefined && n.maximum !== undefined)
      return `${what} between ${n.minimum} and ${withUnit(n.maximum, f)}`;
    const of = f?.unit ? `${what} of ${f.unit}` : what;
    if (n.minimum !== undefined) return `${of}, ${n.minimum} or more`;
    if (n.maximum !== undefined) return `${of}, ${n.maximum} or less`;
    return of;
  }
  if (kind === "list" || kind === "number-list") return "a list separated by commas";
  if (kind === "json") return "JSON";
  return n.minLength ? "text, not empty" : "text";
}

/** The name a person knows a key by: its label, else the key itself. */
export function labelOf(key: string): string {
  return settingEntry(key)?.facts?.label ?? key;
}

/** "SMS parts per minute: -1 is not allowed; it must be a whole number of SMS parts, 1 or more." */
export function refusalInWords(key: string, value: unknown): string {
  const entry = settingEntry(key);
  if (!entry) return `${key}: ${JSON.stringify(value)} is not allowed`;
  // A secret is never echoed, not even in a refusal.
  const shown =
    value === undefined ? "an empty value" : SECRET_SETTINGS.has(key) ? "this value" : JSON.stringify(value);
  return `${labelOf(key)}: ${shown} is not allowed; it must be ${expectedInWords(entry.schema, entry.facts)}.`;
}
