/**
 * The one place a JSON Schema becomes a validator. Every check in the gateway (MQTT payloads,
 * the HTTP routes through fastify, the config file, the dunning policy) compiles here, with the
 * same ajv options and formats, so that "valid" means one thing: a record the MQTT bridge
 * accepts is one the HTTP API accepts, and both are what docs/mqtt.md and the OpenAPI show.
 *
 * A refused payload names the field (a JSON pointer such as /3/dueDate) and the reason, so the
 * sender can fix it.
 */
import type { TSchema, Static } from "@sinclair/typebox";
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import formatsPlugin from "ajv-formats";

export interface ValidationProblem {
  /** JSON pointer into the payload: "" for the whole, "/dueDate", "/3/amount". */
  field: string;
  reason: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: ValidationProblem[] };

/**
 * How input is read, by where it comes from:
 * - json: a JSON body or MQTT payload carries its own types: "optedOut": "true" is refused, never
 *   turned into true; the first problem is enough for a sender to act on.
 * - text: a query string, path parameters and headers are text by nature: "limit=5" is the
 *   number 5 ("array": a single value for a list).
 * - document: a file a person edits (the config, the dunning policy): every problem at once.
 * None removes unknown fields: a record with a field the schema does not know is refused, not
 * silently trimmed.
 */
export type InputKind = "json" | "text" | "document";

const COMMON: Options = { strict: false, removeAdditional: false };
const OPTIONS: Record<InputKind, Options> = {
  json: { ...COMMON, coerceTypes: false, useDefaults: true, allErrors: false },
  text: { ...COMMON, coerceTypes: "array", useDefaults: true, allErrors: false },
  document: { ...COMMON, coerceTypes: false, useDefaults: false, allErrors: true },
};

// ajv-formats ships CJS with a default export object; under NodeNext its call signature sits on .default.
const addFormats = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as (a: Ajv) => Ajv;

/**
 * A fresh ajv for one kind of input. The HTTP server takes its own pair per instance (fastify
 * registers route schemas in it, and a test builds many servers); everything else shares the
 * module's instances below.
 */
export function createAjv(kind: InputKind): Ajv {
  return addFormats(new Ajv(OPTIONS[kind]));
}

const shared: Partial<Record<InputKind, Ajv>> = {};
const cache = new WeakMap<TSchema, ValidateFunction>();

/** The compiled validator for a schema, built once per schema object. */
export function compile(schema: TSchema, kind: InputKind = "json"): ValidateFunction {
  let v = cache.get(schema);
  if (!v) {
    const ajv = (shared[kind] ??= createAjv(kind));
    // $id would register the schema globally in ajv; a copy without it compiles standalone.
    const { $id: _id, ...rest } = schema as TSchema & { $id?: string };
    v = ajv.compile(rest);
    cache.set(schema, v);
  }
  return v;
}

export function describeError(e: ErrorObject): ValidationProblem {
  let field = e.instancePath;
  let reason = e.message ?? "is invalid";
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "required" && typeof params.missingProperty === "string") {
    field = `${field}/${params.missingProperty}`;
    reason = "is required";
  } else if (e.keyword === "additionalProperties" && typeof params.additionalProperty === "string") {
    field = `${field}/${params.additionalProperty}`;
    reason = "is not a known field";
  } else if (e.keyword === "anyOf") {
    reason = "is neither one object of the expected shape nor an array of them";
  }
  return { field, reason };
}

/**
 * ajv reports a value outside a list of literals ("status": "closed") as one "must be equal to
 * constant" per branch; a sender needs the list instead: "must be one of "open", "paid", ...".
 */
export function describeErrors(errors: readonly ErrorObject[]): ValidationProblem[] {
  const allowed = new Map<string, unknown[]>();
  for (const e of errors)
    if (e.keyword === "const")
      allowed.set(e.instancePath, [
        ...(allowed.get(e.instancePath) ?? []),
        (e.params as { allowedValue?: unknown }).allowedValue,
      ]);
  const problems: ValidationProblem[] = [];
  const listed = new Set<string>();
  for (const e of errors) {
    const values = allowed.get(e.instancePath);
    if (values && (e.keyword === "const" || e.keyword === "anyOf")) {
      if (!listed.has(e.instancePath))
        problems.push({
          field: e.instancePath,
          reason: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}`,
        });
      listed.add(e.instancePath);
    } else problems.push(describeError(e));
  }
  return problems;
}

/** A JSON payload against its schema: the typed value, or the problems with their fields. */
export function check<S extends TSchema>(schema: S, value: unknown): Checked<Static<S>> {
  const v = compile(schema, "json");
  if (v(value)) return { ok: true, value: value as Static<S> };
  return { ok: false, problems: describeErrors(v.errors ?? []).slice(0, 5) };
}
