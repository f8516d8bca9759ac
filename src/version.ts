import { readFileSync } from "node:fs";

function readVersion(): string {
  // src/ in development, dist/src/ when built: package.json is one or two levels up.
  for (const rel of ["../package.json", "../../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === "duegate" && pkg.version) return pkg.version;
    } catch {
      /* try the next */
    }
  }
  return "0.0.0";
}

export const VERSION = readVersion();
