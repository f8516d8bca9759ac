import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { DuegateError, ErrorCode, errorMessage } from "../../core/errors.js";
import { DEFAULT_TIMEOUTS, type AtTimeouts } from "../at/command.js";

/**
 * Named quirk flags (zwave-js CompatConfig): read here once, never an
 * `if (model === ...)` anywhere else. Each flag has a test in test/modem/compat.test.ts.
 */
export interface CompatFlags {
  /** The modem sends ">" without the space after AT+CMGS: take a lone ">" as the prompt at once. */
  promptWithoutSpace: boolean;
  /** The reset command drops the USB device: wait for the port to come back instead of probing it. */
  resetReenumerates: boolean;
  /** Read status reports announced by +CDSI from this storage whatever the URC says (Quectel "SR"). */
  statusReportStorage?: string;
}

export interface ProfileTimeouts extends AtTimeouts {
  registrationMs: number;
  resetSettleMs: number;
}

export interface ModemProfile {
  name: string;
  description: string;
  match: { usb: Array<{ vendorId: string; productId: string }>; model?: string };
  init: string[];
  cnmi: string[];
  storage: [string, string, string];
  registration: "CREG" | "CGREG" | "CEREG";
  reset: string;
  timeouts: ProfileTimeouts;
  compat: CompatFlags;
}

const DEFAULT_PROFILE_TIMEOUTS: ProfileTimeouts = {
  ...DEFAULT_TIMEOUTS,
  registrationMs: 60_000,
  resetSettleMs: 15_000,
};

/** firmware-config/profiles, found from this file upwards (works from src/ under tsx and from dist/). */
export function profilesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const candidate = join(dir, "firmware-config", "profiles");
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  return join(process.cwd(), "firmware-config", "profiles");
}

/** The names of the profiles this appliance has (firmware-config/profiles/<name>.yaml), sorted. */
export function profileNames(dir = profilesDir()): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => /^[a-z0-9][a-z0-9_-]*\.yaml$/.test(f))
      .map((f) => f.slice(0, -".yaml".length))
      .sort();
  } catch {
    return [];
  }
}

/** Loads and validates firmware-config/profiles/<name>.yaml; an error names the file and the key. */
export async function loadProfile(name: string, dir = profilesDir()): Promise<ModemProfile> {
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(name))
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `modem profile "${name}" is not a profile name (lowercase letters, digits, - and _)`,
      { key: "modem.profile", value: name },
    );
  const file = join(dir, `${name}.yaml`);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `modem profile "${name}" not found (${file}); known: generic, sim800, sim7600, ec25, e3372`,
      { key: "modem.profile", value: name, file },
    );
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new DuegateError(ErrorCode.ConfigInvalid, `modem profile ${file} is not valid YAML: ${errorMessage(e)}`, {
      file,
    });
  }
  return validateProfile(doc, file);
}

export function validateProfile(doc: unknown, file: string): ModemProfile {
  const bad = (key: string, expected: string): never => {
    throw new DuegateError(ErrorCode.ConfigInvalid, `modem profile ${file}: "${key}" must be ${expected}`, {
      file,
      key,
    });
  };
  if (!doc || typeof doc !== "object") bad("(root)", "a mapping");
  const d = doc as Record<string, unknown>;
  const strings = (key: string, v: unknown): string[] =>
    Array.isArray(v) && v.every((x) => typeof x === "string") ? (v as string[]) : bad(key, "a list of strings");
  const atLines = (key: string, v: unknown): string[] =>
    strings(key, v).map((l, i) => (/^AT/i.test(l) ? l : bad(`${key}[${i}]`, "an AT command line")));
  if (typeof d.name !== "string") bad("name", "a string");
  const storage = strings("storage", d.storage ?? ["SM", "SM", "SM"]);
  if (storage.length !== 3) bad("storage", "three storages [mem1, mem2, mem3]");
  const registration = d.registration ?? "CREG";
  if (registration !== "CREG" && registration !== "CGREG" && registration !== "CEREG")
    return bad("registration", "CREG, CGREG or CEREG");
  const timeouts = { ...DEFAULT_PROFILE_TIMEOUTS };
  for (const [k, v] of Object.entries((d.timeouts as Record<string, unknown> | undefined) ?? {})) {
    if (!(k in timeouts)) bad(`timeouts.${k}`, `one of ${Object.keys(timeouts).join(", ")}`);
    if (typeof v !== "number" || v < 100 || v > 600_000) bad(`timeouts.${k}`, "a number of ms in [100...600000]");
    (timeouts as Record<string, number>)[k] = v as number;
  }
  const c = (d.compat as Record<string, unknown> | undefined) ?? {};
  for (const k of Object.keys(c))
    if (!["promptWithoutSpace", "resetReenumerates", "statusReportStorage"].includes(k))
      bad(`compat.${k}`, "a known compat flag (promptWithoutSpace, resetReenumerates, statusReportStorage)");
  const match = (d.match as Record<string, unknown> | undefined) ?? {};
  const usb = Array.isArray(match.usb) ? match.usb : [];
  return {
    name: d.name as string,
    description: typeof d.description === "string" ? d.description : (d.name as string),
    match: {
      usb: usb.map((u: unknown, i) => {
        const x = u as Record<string, unknown>;
        if (typeof x?.vendorId !== "string" || typeof x.productId !== "string")
          bad(`match.usb[${i}]`, "{ vendorId, productId } as hex strings");
        return { vendorId: (x.vendorId as string).toLowerCase(), productId: (x.productId as string).toLowerCase() };
      }),
      model: typeof match.model === "string" ? match.model : undefined,
    },
    init: atLines("init", d.init ?? []),
    cnmi: atLines("cnmi", d.cnmi ?? ["AT+CNMI=2,1,0,1,0"]),
    storage: storage as [string, string, string],
    registration,
    reset: typeof d.reset === "string" && /^AT/i.test(d.reset) ? d.reset : bad("reset", "an AT command line"),
    timeouts,
    compat: {
      promptWithoutSpace: c.promptWithoutSpace === true,
      resetReenumerates: c.resetReenumerates === true,
      statusReportStorage: typeof c.statusReportStorage === "string" ? c.statusReportStorage : undefined,
    },
  };
}
