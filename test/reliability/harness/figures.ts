/**
 * Figures the suites measure, handed to bench/reliability.ts: when DUEGATE_RELIABILITY_FIGURES
 * names a directory, each suite writes its figures there (one JSON file per suite and process),
 * and the bench merges them into its one JSON line. Without it the figures go nowhere.
 */
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const mine = new Map<string, Record<string, unknown>>();

export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  const merged = { ...(mine.get(suite) ?? {}), ...figures };
  mine.set(suite, merged);
  const dir = process.env.DUEGATE_RELIABILITY_FIGURES;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${suite}.${process.pid}.json`), JSON.stringify(merged));
}

/** All figures in a directory, by suite (the bench's side). */
export function readFigures(dir: string): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith(".json"));
  } catch {
    return out;
  }
  for (const f of files.sort()) {
    const suite = f.split(".")[0]!;
    out[suite] = {
      ...(out[suite] ?? {}),
      ...(JSON.parse(readFileSync(join(dir, f), "utf8")) as Record<string, unknown>),
    };
  }
  return out;
}
