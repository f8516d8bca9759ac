import { maskSecrets } from "../../config/settings-catalog.js";

/**
 * The configuration as the panel shows it: every key the schema marks secret replaced
 * (src/config/setting-facts.ts), so that a viewer can see how the appliance is set up without
 * learning a password, PIN or webhook key.
 */
export function redactConfig(value: unknown): unknown {
  return maskSecrets(value);
}

/** A setting by dotted path, or undefined (the config is typed by its owner; the panel reads only a few keys). */
export function setting<T>(config: unknown, path: string, fallback: T): T {
  let v: unknown = config;
  for (const k of path.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined;
  return v === undefined || v === null ? fallback : (v as T);
}
