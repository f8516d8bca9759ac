/**
 * Settings changed in the web panel. Under systemd (ProtectSystem=strict) the config file in
 * /etc is read-only to the service, so panel edits live in a YAML overlay in the data
 * directory, <dataDir>/settings.yaml, written atomically (src/store). loadConfig merges it
 * between the file and the environment: flags > environment > panel overlay > file > defaults.
 *
 * Only the keys below may be edited from the panel: the ones an office changes (send windows,
 * limits, wording, the broker). Ports, data paths, users and the HTTP listener stay in the file.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { DuegateError, ErrorCode, isDuegateError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { AtomicJsonFile } from "../store/atomic-file.js";
import { ConfigSchema, type Config } from "./schema.js";
import { envToPath, validateConfig } from "./validate.js";

export const OVERLAY_FILE = "settings.yaml";

/** Whole sections whose every key is editable. */
const EDITABLE_SECTIONS = ["outbox.sendWindow", "outbox.limits", "outbox.retry"];
const EDITABLE_KEYS = [
  "dunning.graceDays",
  "dunning.consolidate",
  "dunning.appendOptOutLine",
  "dunning.paidPauseDays",
  "dunning.promiseGraceDays",
  "inbound.unknownNumberReply",
  "inbound.unknownKeywordHelp",
  "inbound.aliases",
  "gateway.companyName",
  "gateway.supportContact",
  "gateway.ownNumber",
  "mqtt.mode",
  "mqtt.url",
  "mqtt.username",
  "mqtt.password",
  "mqtt.baseTopic",
  "mqtt.ca",
  "mqtt.cert",
  "mqtt.key",
  "mqtt.rejectUnauthorized",
];

/** Values never sent to a browser: the panel shows "set" or "not set". (mqtt.key is a file path, not the key.) */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(["mqtt.password"]);

function schemaNode(path: string): { properties?: Record<string, unknown> } | undefined {
  let node: unknown = ConfigSchema;
  for (const k of path.split("."))
    node = (node as { properties?: Record<string, unknown> } | undefined)?.properties?.[k];
  return node as { properties?: Record<string, unknown> } | undefined;
}

/** Every key the panel may set, as dotted paths ("outbox.sendWindow.end"), in display order. */
export const PANEL_SETTINGS: readonly string[] = [
  ...EDITABLE_SECTIONS.flatMap((section) =>
    Object.keys(schemaNode(section)?.properties ?? {}).map((k) => `${section}.${k}`),
  ),
  ...EDITABLE_KEYS,
];
const EDITABLE = new Set(PANEL_SETTINGS);

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

/** What the panel shows: values of plain keys, "set"/"not set" for secrets, where each comes from. */
export interface SettingsView {
  keys: readonly string[];
  values: Record<string, unknown>;
  secrets: Record<string, "set" | "not set">;
  /** Keys whose value comes from the panel overlay. */
  fromPanel: string[];
  /** Keys fixed by an environment variable (its name). */
  locked: Record<string, string>;
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
    for (const key of PANEL_SETTINGS) {
      const v = getPath(config, key);
      if (SECRET_SETTINGS.has(key)) secrets[key] = v ? "set" : "not set";
      else values[key] = v;
    }
    const locked: Record<string, string> = {};
    for (const key of PANEL_SETTINGS) {
      const name = this.lockedBy(key);
      if (name) locked[key] = name;
    }
    return { keys: PANEL_SETTINGS, values, secrets, fromPanel: [...leaves(this.tree).keys()], locked };
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
          message: `${key} is set by ${this.lockedBy(key)} in the service's environment, which wins over the panel`,
        });
      else if (value === undefined || value === null) problems.push({ field: key, message: `${key} needs a value` });
      else {
        if (JSON.stringify(getPath(config, key)) !== JSON.stringify(value)) changed.push(key);
        setPath(candidate, key, value);
        setPath(tree, key, value);
      }
    }
    const topic = change["mqtt.baseTopic"];
    if (typeof topic === "string" && !topic.split("/").every((l) => l.length > 0 && !/[+#\0]/.test(l)))
      problems.push({ field: "mqtt.baseTopic", message: "mqtt.baseTopic: no empty levels, + or #" });
    if (problems.length > 0) return { ok: false, problems };
    try {
      return { ok: true, config: validateConfig(candidate, "settings"), overlay: tree, changed };
    } catch (e) {
      if (!isDuegateError(e, ErrorCode.ConfigInvalid)) throw e;
      const fields = Array.isArray(e.context.fields)
        ? (e.context.fields as FieldProblem[])
        : [{ field: "", message: e.message }];
      return { ok: false, problems: fields };
    }
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
