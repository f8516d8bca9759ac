/**
 * The configuration as the panel shows it: every secret replaced, so that a viewer can see
 * how the appliance is set up without learning a password, PIN or webhook key.
 */
const SECRET = /pass(word)?|secret|pin|puk|token|key$/i;

export function redactConfig(value: unknown, depth = 0): unknown {
  if (depth > 8) return "[deep]";
  if (Array.isArray(value)) return value.map((v) => redactConfig(v, depth + 1));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET.test(k) && typeof v === "string" ? (v ? "••••••" : "") : redactConfig(v, depth + 1);
    return out;
  }
  return value;
}

/** A setting by dotted path, or undefined (the config is typed by its owner; the panel reads only a few keys). */
export function setting<T>(config: unknown, path: string, fallback: T): T {
  let v: unknown = config;
  for (const k of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? fallback : (v as T);
}
