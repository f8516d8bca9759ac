/**
 * The configuration keys with their facts (src/config/setting-facts.ts), read from the one
 * schema: which the panel may set, which are secret, which wait for a restart, and the masking
 * of secrets wherever a configuration is shown or logged.
 */
import type { TSchema } from "@sinclair/typebox";
import { ConfigSchema } from "./schema.js";
import { factsOf, type SettingFacts } from "./setting-facts.js";

interface SchemaNode {
  type?: string;
  properties?: Record<string, TSchema>;
  items?: TSchema;
}

export interface SettingEntry {
  /** Dotted path; "*" stands for every item of a list ("http.webhooks.*.secret"). */
  key: string;
  schema: TSchema;
  facts: SettingFacts | undefined;
}

const isSection = (n: TSchema): boolean => {
  const s = n as SchemaNode;
  return s.type === "object" && s.properties !== undefined;
};

/** Every leaf key of the schema in its order, lists of objects opened with "*". */
function walk(node: TSchema, prefix: string, out: SettingEntry[]): SettingEntry[] {
  for (const [k, child] of Object.entries((node as SchemaNode).properties ?? {})) {
    const key = prefix ? `${prefix}.${k}` : k;
    const c = child as SchemaNode;
    if (isSection(child)) walk(child, key, out);
    else {
      out.push({ key, schema: child, facts: factsOf(child) });
      if (c.type === "array" && c.items && isSection(c.items)) walk(c.items, `${key}.*`, out);
    }
  }
  return out;
}

export const SETTINGS: readonly SettingEntry[] = walk(ConfigSchema, "", []);
const BY_KEY = new Map(SETTINGS.map((e) => [e.key, e]));

/** The schema node and facts of one key ("outbox.limits.perMinute"), or undefined. */
export function settingEntry(key: string): SettingEntry | undefined {
  return BY_KEY.get(key);
}

/** The facts of a section ("outbox.sendWindow"): its label on the Settings page. */
export function sectionFacts(path: string): SettingFacts | undefined {
  let node: TSchema | undefined = ConfigSchema;
  for (const k of path.split(".")) node = (node as SchemaNode | undefined)?.properties?.[k];
  return factsOf(node);
}

/** Every key the panel may set, as dotted paths, in the schema's order. */
export const PANEL_SETTINGS: readonly string[] = SETTINGS.filter((e) => e.facts?.editable).map((e) => e.key);

/** Keys whose values are never shown or logged. */
export const SECRET_SETTINGS: ReadonlySet<string> = new Set(SETTINGS.filter((e) => e.facts?.secret).map((e) => e.key));

/** Whether a change of this key waits for the next start: every key the panel does not own does. */
export function needsRestart(key: string): boolean {
  const f = settingEntry(key)?.facts;
  return !f?.editable || f.restart === true;
}

/**
 * The names secret keys end in ("password", "unsubscribeSecret", "pin"), for the logger: a
 * config section logged by mistake has them redacted wherever it is nested.
 */
export function secretKeyNames(): ReadonlySet<string> {
  return new Set([...SECRET_SETTINGS].map((k) => k.split(".").pop()!));
}

/**
 * A copy of a configuration (or any part of it, rooted at `prefix`) with every secret replaced:
 * a non-empty secret becomes `shown`, an empty one stays empty so that "not set" is visible.
 */
export function maskSecrets(value: unknown, shown = "••••••", prefix = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => maskSecrets(v, shown, prefix ? `${prefix}.*` : "*"));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = prefix ? `${prefix}.${k}` : k;
      out[k] = SECRET_SETTINGS.has(key) ? (v === "" || v === undefined ? v : shown) : maskSecrets(v, shown, key);
    }
    return out;
  }
  return value;
}
