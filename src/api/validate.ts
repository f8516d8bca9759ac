/**
 * Validation at the edge with the same schemas the docs show: a refused payload names the
 * field (a JSON pointer such as /3/dueDate) and the reason, so the sender can fix it.
 */
import type { TSchema, Static } from "@sinclair/typebox";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import formatsPlugin from "ajv-formats";

export interface ValidationProblem {
  /** JSON pointer into the payload: "" for the whole, "/dueDate", "/3/amount". */
  field: string;
  reason: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: ValidationProblem[] };

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
// ajv-formats ships CJS with a default export object; under NodeNext its call signature sits on .default.
const addFormats = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as (a: Ajv) => Ajv;
addFormats(ajv);

const cache = new WeakMap<TSchema, ValidateFunction>();

function compiled(schema: TSchema): ValidateFunction {
  let v = cache.get(schema);
  if (!v) {
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

export function check<S extends TSchema>(schema: S, value: unknown): Checked<Static<S>> {
  const v = compiled(schema);
  if (v(value)) return { ok: true, value: value as Static<S> };
  return { ok: false, problems: (v.errors ?? []).slice(0, 5).map(describeError) };
}
