/**
 * Settings changed in the web panel. Under systemd (ProtectSystem=strict) the config file in
 * /etc is read-only to the service, so panel edits live in a YAML overlay in the data
 * directory, <dataDir>/settings.yaml, written atomically (src/store). loadConfig merges it
 * between the file and the environment: flags > environment > panel overlay > file > defaults.
 *
 * Only the keys whose facts say `editable` (src/config/sections/*.ts, src/config/setting-facts.ts)
 * may be edited from the panel: the ones an office changes (send windows, limits, wording, the
 * broker, the SMTP relay). Ports, data paths, users and the HTTP listener stay in the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { DuegateError, ErrorCode, isDuegateError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { AtomicJsonFile } from "../store/atomic-file.js";
import type { Config } from "./schema.js";
import { envToPath, validateConfig } from "./validate.js";
import { needsRestart, PANEL_SETTINGS, SECRET_SETTINGS, sectionFacts, settingEntry } from "./settings-catalog.js";
import { choicesOf, expectedInWords, kindOf, labelOf, refusalInWords, type SettingKind } from "./setting-words.js";

export const OVERLAY_FILE = "settings.yaml";

export { PANEL_SETTINGS, SECRET_SETTINGS };
const EDITABLE: ReadonlySet<string> = new Set(PANEL_SETTINGS);
/** The keys of the Settings page's form: the editable ones without a page of their own (`modems`). */
const FORM_SETTINGS: readonly string[] = PANEL_SETTINGS.filter((k) => !settingEntry(k)?.facts?.ownPage);

export function overlayPath(dataDir: string): string {
  return join(dataDir, OVERLAY_FILE);
}

export function getPath(root: unknown, path: string): unknown {
  let v = root;
  for (const k of path.split("."))
    v = v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = root;
  for (const k of keys.slice(0, -1)) {
    if (!node[k] || typeof node[k] !== "object" || Array.isArray(node[k])) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

/** The overlay's leaves as dotted keys; a key the panel may not set is reported, not taken. */
function leaves(tree: Record<string, unknown>, prefix = "", out = new Map<string, unknown>()): Map<string, unknown> {
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (EDITABLE.has(key) || !v || typeof v !== "object" || Array.isArray(v)) out.set(key, v);
    else leaves(v as Record<string, unknown>, key, out);
  }
  return out;
}

/**
 * The overlay as loadConfig merges it: {} when there is none. A hand-edited file with a key the
 * panel does not own, or one that is not YAML, stops the start with the file named.
 */
export function readOverlay(dataDir: string): Record<string, unknown> {
  const file = overlayPath(dataDir);
  if (!existsSync(file)) return {};
  const doc = parseDocument(readFileSync(file, "utf8"));
  if (doc.errors.length > 0)
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `${file} (settings saved in the web panel) is not valid YAML: ${doc.errors.map((e) => e.message).join("; ")}; fix or delete it`,
      { file },
    );
  const js = doc.toJS() as unknown;
  if (js === null || js === undefined) return {};
  if (typeof js !== "object" || Array.isArray(js))
    throw new DuegateError(ErrorCode.ConfigInvalid, `${file}: the top level must be a mapping of sections`, { file });
  const foreign = [...leaves(js as Record<string, unknown>).keys()].filter((k) => !EDITABLE.has(k));
  if (foreign.length > 0)
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `${file}: ${foreign.join(", ")} cannot be set from the web panel; move ${foreign.length === 1 ? "it" : "them"} to the config file`,
      { file, keys: foreign },
    );
  return js as Record<string, unknown>;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Keys set by DUEGATE_ variables: they win over the overlay, so the panel cannot change them. */
export function environmentKeys(env: Record<string, string | undefined>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(env))
    if (name.startsWith("DUEGATE_") && value !== undefined) out.set(envToPath(name), name);
  return out;
}

/** One field of the Settings page, in a person's words, from the key's facts. */
export interface SettingField {
  key: string;
  label: string;
  hint?: string;
  unit?: string;
  /** The valid values in words: "a whole number between 1 and 60 minutes", "a time like 08:00". */
  expected: string;
  /** What a valid text looks like, when a pattern checks it ("a time like 08:00"). */
  format?: string;
  kind: SettingKind;
  choices?: Array<{ value: unknown; label: string }>;
  minimum?: number;
  maximum?: number;
  secret: boolean;
  /** A change takes effect after the next start. */
  restart: boolean;
  /** The section it is shown in ("outbox.sendWindow"), that section's label and its hint, if any. */
  section: string;
  sectionLabel: string;
  sectionHint?: string;
}

/** What the panel shows: values of plain keys, "set"/"not set" for secrets, where each comes from. */
export interface SettingsView {
  keys: readonly string[];
  fields: SettingField[];
  values: Record<string, unknown>;
  secrets: Record<string, "set" | "not set">;
  /** Keys whose value comes from the panel overlay. */
  fromPanel: string[];
  /** Keys fixed by an environment variable (its name). */
  locked: Record<string, string>;
}

/** The nearest section with a label: "outbox.sendWindow" for outbox.sendWindow.start, "gateway" for gateway.companyName. */
function sectionOf(key: string): { section: string; sectionLabel: string; sectionHint?: string } {
  const parts = key.split(".").slice(0, -1);
  for (let n = parts.length; n > 0; n--) {
    const section = parts.slice(0, n).join(".");
    const f = sectionFacts(section);
    if (f?.label) return { section, sectionLabel: f.label, ...(f.hint ? { sectionHint: f.hint } : {}) };
  }
  return { section: parts.join("."), sectionLabel: parts.join(".") };
}

function fieldOf(key: string): SettingField {
  const entry = settingEntry(key)!;
  const f = entry.facts;
  const node = entry.schema as { minimum?: number; maximum?: number };
  const kind = kindOf(entry.schema);
  return {
    key,
    label: labelOf(key),
    ...(f?.hint ? { hint: f.hint } : {}),
    ...(f?.unit ? { unit: f.unit } : {}),
    expected: expectedInWords(entry.schema, f),
    ...(f?.format ? { format: f.format } : {}),
    kind,
    ...(kind === "choice" ? { choices: choicesOf(entry.schema, f) } : {}),
    ...(node.minimum !== undefined ? { minimum: node.minimum } : {}),
    ...(node.maximum !== undefined ? { maximum: node.maximum } : {}),
    secret: SECRET_SETTINGS.has(key),
    restart: needsRestart(key),
    ...sectionOf(key),
  };
}

const FIELDS: readonly SettingField[] = FORM_SETTINGS.map(fieldOf);

/** The editable key a schema error is about: outbox.sendWindow.days for outbox.sendWindow.days.3. */
function editableKeyOf(field: string): string | undefined {
  const parts = field.split(".");
  for (let n = parts.length; n > 0; n--) {
    const key = parts.slice(0, n).join(".");
    if (EDITABLE.has(key)) return key;
  }
  return undefined;
}

export type SettingsPlan =
  | { ok: true; config: Config; overlay: Record<string, unknown>; changed: string[] }
  | { ok: false; problems: FieldProblem[] };

/** The overlay file and the rules for changing it. */
export class SettingsOverlay {
  private constructor(
    private readonly file: AtomicJsonFile<unknown>,
    private tree: Record<string, unknown>,
    private readonly env: Map<string, string>,
  ) {}

  static open(dataDir: string, logger: Logger, env: Record<string, string | undefined> = process.env): SettingsOverlay {
    return new SettingsOverlay(
      new AtomicJsonFile(overlayPath(dataDir), logger),
      readOverlay(dataDir),
      environmentKeys(env),
    );
  }

  view(config: Config): SettingsView {
    const values: Record<string, unknown> = {};
    const secrets: Record<string, "set" | "not set"> = {};
    for (const key of FORM_SETTINGS) {
      const v = getPath(config, key);
      if (SECRET_SETTINGS.has(key)) secrets[key] = v ? "set" : "not set";
      else values[key] = v;
    }
    const locked: Record<string, string> = {};
    for (const key of FORM_SETTINGS) {
      const name = this.lockedBy(key);
      if (name) locked[key] = name;
    }
    return {
      keys: FORM_SETTINGS,
      fields: [...FIELDS],
      values,
      secrets,
      fromPanel: [...leaves(this.tree).keys()],
      locked,
    };
  }

  /**
   * Checks a change against the same schema the file is checked with (validateConfig) on top of
   * the configuration in force; every problem names its key.
   */
  plan(config: Config, change: Record<string, unknown>): SettingsPlan {
    const problems: FieldProblem[] = [];
    const candidate = structuredClone(config) as unknown as Record<string, unknown>;
    const tree = structuredClone(this.tree);
    const changed: string[] = [];
    for (const [key, value] of Object.entries(change)) {
      if (!EDITABLE.has(key)) problems.push({ field: key, message: `${key} cannot be changed from the panel` });
      else if (this.lockedBy(key))
        problems.push({
          field: key,
          message: `${labelOf(key)} is set by ${this.lockedBy(key)} in the service's environment, which wins over the panel`,
        });
      else if (value === undefined || value === null)
        problems.push({ field: key, message: refusalInWords(key, undefined) });
      else {
        if (JSON.stringify(getPath(config, key)) !== JSON.stringify(value)) changed.push(key);
        setPath(candidate, key, value);
        setPath(tree, key, value);
      }
    }
    // The values that could be taken are checked too, so that the form shows every problem at once.
    let next: Config;
    try {
      next = validateConfig(candidate, "settings");
    } catch (e) {
      if (!isDuegateError(e, ErrorCode.ConfigInvalid)) throw e;
      const fields = Array.isArray(e.context.fields)
        ? (e.context.fields as FieldProblem[])
        : [{ field: "", message: e.message }];
      return { ok: false, problems: [...problems, ...inWords(fields, change)] };
    }
    return problems.length > 0 ? { ok: false, problems } : { ok: true, config: next, overlay: tree, changed };
  }

  /** Durable when it resolves: tmp + fsync + rename, with a .bak of the previous copy. */
  async save(tree: Record<string, unknown>): Promise<void> {
    const header =
      "# Settings saved in the duegate web panel. They override the config file; DUEGATE_ variables and flags override them.\n";
    await this.file.writeText(header + stringify(tree));
    this.tree = tree;
  }

  private lockedBy(key: string): string | undefined {
    for (const [path, name] of this.env)
      if (key === path || key.startsWith(`${path}.`) || path.startsWith(`${key}.`)) return name;
    return undefined;
  }
}

/**
 * The schema's problems as the person at the form reads them: beside the field they changed,
 * named by its label, with the valid range in words. One per field.
 */
function inWords(problems: FieldProblem[], change: Record<string, unknown>): FieldProblem[] {
  const out = new Map<string, FieldProblem>();
  for (const p of problems) {
    const key = editableKeyOf(p.field);
    const item = key ? itemInWords(key, p, change[key]) : undefined;
    if (item) out.set(item.field, out.get(item.field) ?? item);
    else if (!key) out.set(p.field, p);
    else if (!out.has(key)) out.set(key, { field: key, message: refusalInWords(key, change[key]) });
  }
  return [...out.values()];
}

/**
 * A problem inside one item of an editable list (modems.1.limits.partsPerDay): beside that
 * item's field, in the words of the list's item schema ("modems.*.limits.partsPerDay"). The
 * item's values are never echoed whole, so that a secret in it (a PIN) stays out of the answer.
 */
function itemInWords(key: string, p: FieldProblem, list: unknown): FieldProblem | undefined {
  const [index, ...rest] = p.field.slice(key.length + 1).split(".");
  if (index === undefined || !/^[0-9]+$/.test(index) || !Array.isArray(list)) return undefined;
  // A list of plain values (send days) is refused as a whole, in the list's own words; a list
  // of entries (modems) never is: the whole list would be quoted, a PIN in it too.
  if (list.every((e: unknown) => e === null || typeof e !== "object")) return undefined;
  if (rest.length === 0) {
    // The item as a whole: a required key missing is said beside that key; else the schema's words, without the values.
    const why = p.message.split(" is invalid, expected ")[1] ?? "the entry is incomplete";
    const missing = /required property '([^']+)'/.exec(why)?.[1];
    if (missing) return { field: `${p.field}.${missing}`, message: `${labelOf(`${key}.*.${missing}`)} is needed.` };
    return { field: p.field, message: `${labelOf(key)} ${Number(index) + 1}: ${why}` };
  }
  const inner = `${key}.*.${rest.join(".")}`;
  // The checks beyond the schema (two modems with one id) say already which field and why.
  if (!p.message.includes(" is invalid, expected ") || !settingEntry(inner)) return p;
  return { field: p.field, message: refusalInWords(inner, getPath(list[Number(index)], rest.join("."))) };
}
