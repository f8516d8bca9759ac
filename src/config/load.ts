import { readFileSync, existsSync } from "node:fs";
import { parseDocument } from "yaml";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { ConfigSchema, type Config } from "./schema.js";
import { readOverlay } from "./overlay.js";
import { envToPath, merge, parseScalar, setPath, validateConfig } from "./validate.js";

export { envToPath, setPath, validateConfig };

export interface LoadOptions {
  /** --config FILE; when absent ./duegate.yaml is read if it exists. */
  file?: string;
  /** Environment to read DUEGATE_* from (tests pass their own). */
  env?: Record<string, string | undefined>;
  /** CLI flags, already mapped to key paths ("modem.port" -> "sim"). */
  overrides?: Record<string, unknown>;
  /** Applied after the file and before env and flags (demo defaults). */
  base?: Record<string, unknown>;
  /** Merge <dataDir>/settings.yaml, the settings saved in the web panel (default true). */
  overlay?: boolean;
}

export const DEFAULT_CONFIG_FILE = "./duegate.yaml";
const DEFAULT_DATA_DIR = (ConfigSchema.properties.gateway.properties.dataDir as { default: string }).default;

export function loadConfig(options: LoadOptions = {}): { config: Config; file?: string } {
  const file = options.file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  let fromFile: Record<string, unknown> = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      throw new DuegateError(ErrorCode.ConfigUnreadable, `cannot read config file ${file}: ${(e as Error).message}`, {
        file,
      });
    }
    const doc = parseDocument(text, { prettyErrors: true });
    if (doc.errors.length > 0) {
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `${file} is not valid YAML: ${doc.errors.map((er) => er.message).join("; ")}`,
        { file },
      );
    }
    const js = doc.toJS() as unknown;
    if (js !== null && js !== undefined && (typeof js !== "object" || Array.isArray(js))) {
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `${file}: the top level must be a mapping of sections (gateway:, modem:, ...)`,
        { file },
      );
    }
    fromFile = (js ?? {}) as Record<string, unknown>;
  }
  const raw: Record<string, unknown> = merge(structuredClone(options.base ?? {}), fromFile);
  const top: Record<string, unknown> = {}; // environment, then flags: they win over the panel's overlay
  const env = options.env ?? process.env;
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith("DUEGATE_") || value === undefined) continue;
    const path = envToPath(name);
    setPath(top, path, parseScalar(path, value));
  }
  for (const [path, value] of Object.entries(options.overrides ?? {}))
    if (value !== undefined) setPath(top, path, value);
  if (options.overlay !== false) {
    // The overlay lives in the data directory, so that is found first (the overlay cannot move it).
    const dataDir = [top, raw]
      .map((l) => (l.gateway as Record<string, unknown> | undefined)?.dataDir)
      .find((d) => typeof d === "string") as string | undefined;
    merge(raw, readOverlay(dataDir ?? DEFAULT_DATA_DIR));
  }
  merge(raw, top);
  const config = validateConfig(raw, file ?? "configuration");
  return { config: Object.freeze(config) as Config, ...(file ? { file } : {}) };
}
