/**
 * The config schema's checks: validation with defaults and messages naming key, value and
 * expectation, and the mapping of DUEGATE_* names and dotted paths. Shared by the loader and
 * the panel's settings overlay (neither imports the other's module for it).
 */
import { Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import type { ErrorObject } from "ajv";
import { parseDocument } from "yaml";
import { compile } from "../api/validate.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { ConfigSchema, type Config } from "./schema.js";

/** Every object in the schema refuses unknown keys, so a typo is an error and not a silent default. */
function strict(schema: TSchema): TSchema {
  const clone = structuredClone(schema) as Record<string, unknown>;
  const walk = (node: Record<string, unknown>): void => {
    if (node.type === "object" && node.properties && node.additionalProperties === undefined)
      node.additionalProperties = false;
    for (const v of Object.values(node)) {
      if (Array.isArray(v)) v.forEach((x) => x && typeof x === "object" && walk(x as Record<string, unknown>));
      else if (v && typeof v === "object") walk(v as Record<string, unknown>);
    }
  };
  walk(clone);
  return clone as TSchema;
}

const validate = compile(strict(ConfigSchema), "document");

/** DUEGATE_OUTBOX__SEND_WINDOW__START=09:00 -> outbox.sendWindow.start */
export function envToPath(name: string): string {
  return name
    .slice("DUEGATE_".length)
    .split("__")
    .map((seg) => seg.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase()))
    .join(".");
}

/** The schema node at a key path, to know whether "0000" is a PIN (string) or a number. */
function schemaAt(path: string): TSchema | undefined {
  let node: TSchema | undefined = ConfigSchema;
  for (const k of path.split(".")) {
    const props: Record<string, TSchema> | undefined = (node as { properties?: Record<string, TSchema> } | undefined)
      ?.properties;
    node = props?.[k];
  }
  return node;
}

export function parseScalar(path: string, text: string): unknown {
  if ((schemaAt(path) as { type?: string } | undefined)?.type === "string") return text;
  try {
    return parseDocument(text).toJS() as unknown;
  } catch {
    return text;
  }
}

export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split(".");
  let node = target;
  for (const k of keys.slice(0, -1)) {
    const next = node[k];
    if (!next || typeof next !== "object" || Array.isArray(next)) node[k] = {};
    node = node[k] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

export function merge(into: Record<string, unknown>, from: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(from)) {
    const cur = into[k];
    if (v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur))
      merge(cur as Record<string, unknown>, v as Record<string, unknown>);
    else into[k] = v;
  }
  return into;
}

/** The dotted key an error is about: "outbox.sendWindow.end" (an unknown key names itself). */
function keyOf(e: ErrorObject): string {
  const key = e.instancePath.replace(/^\//, "").replace(/\//g, ".");
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return key ? `${key}.${extra}` : extra;
  }
  return key;
}

function describe(e: ErrorObject, root: unknown): string {
  const key = e.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(top level)";
  const value = e.instancePath
    .split("/")
    .slice(1)
    .reduce<unknown>((n, k) => (n && typeof n === "object" ? (n as Record<string, unknown>)[k] : undefined), root);
  if (e.keyword === "additionalProperties") {
    const extra = (e.params as { additionalProperty: string }).additionalProperty;
    return `${key === "(top level)" ? extra : `${key}.${extra}`}: unknown key (check the spelling; see docs/configuration.md)`;
  }
  return `${key}: ${JSON.stringify(value)} is invalid, expected ${e.message ?? "a valid value"}`;
}

/** Validates a candidate config (file, panel edit) and fills defaults; throws ConfigInvalid listing every problem. */
export function validateConfig(candidate: unknown, source = "config"): Config {
  const withDefaults = Value.Default(ConfigSchema, structuredClone(candidate ?? {})) as unknown;
  if (!validate(withDefaults)) {
    const problems = (validate.errors ?? []).map((e) => describe(e, withDefaults));
    const unique = [...new Set(problems)];
    // Per key as well, so that a form (the panel's settings) shows each beside its field.
    const fields = (validate.errors ?? [])
      .map((e, i) => ({ field: keyOf(e), message: problems[i]! }))
      .filter((f, i, all) => all.findIndex((g) => g.field === f.field) === i);
    throw new DuegateError(ErrorCode.ConfigInvalid, `${source} is invalid:\n  - ${unique.join("\n  - ")}`, {
      problems: unique,
      fields,
    });
  }
  const config = withDefaults as Config;
  const pool = poolProblems(config);
  if (pool.length > 0) {
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `${source} is invalid:\n  - ${pool.map((p) => p.message).join("\n  - ")}`,
      { problems: pool.map((p) => p.message), fields: pool },
    );
  }
  return config;
}

/** What the schema cannot say about a modem pool: each modem's id and port are its own. */
function poolProblems(config: Config): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  const ids = new Map<string, number>();
  const ports = new Map<string, number>();
  config.modems.forEach((m, i) => {
    const seenId = ids.get(m.id);
    if (seenId !== undefined)
      problems.push({
        field: `modems.${i}.id`,
        message: `modems.${i}.id: "${m.id}" is already the id of modems.${seenId}; every modem needs its own id`,
      });
    ids.set(m.id, i);
    const seenPort = ports.get(m.port);
    if (m.port !== "sim" && seenPort !== undefined)
      problems.push({
        field: `modems.${i}.port`,
        message: `modems.${i}.port: "${m.port}" is already the port of modems.${seenPort}; two drivers cannot share one port`,
      });
    ports.set(m.port, i);
  });
  return problems;
}
