/**
 * Small pieces every reliability suite uses: tool presence (CI fails, a laptop skips with a
 * message), free loopback ports, bounded waits and the scale knob for a larger local run.
 */
import { existsSync } from "node:fs";
// The loopback helpers live with the shared Mosquitto runner.
export { canConnect, freePort } from "../../bridge/helpers/mosquitto.js";

export const MOSQUITTO = "/usr/sbin/mosquitto";
export const SOCAT = "/usr/bin/socat";

/** Scale 1 (CI) runs the figures of docs/reliability.md; DUEGATE_RELIABILITY_SCALE=0.4 a quicker local pass, 4 four times the work. */
export function scale(): number {
  const n = Number(process.env.DUEGATE_RELIABILITY_SCALE ?? "1");
  return Number.isFinite(n) && n > 0 ? n : 1;
}

export function scaled(base: number): number {
  return Math.max(1, Math.round(base * scale()));
}

/**
 * Whether the tools a suite needs are here. Under CI=true a missing tool is an error, never
 * a skip; elsewhere the suite is skipped with a line saying which tool.
 */
export function toolsPresent(...paths: string[]): boolean {
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  if (process.env.CI === "true")
    throw new Error(`reliability: ${missing.join(", ")} required under CI=true and not found`);
  console.warn(`reliability: skipping, ${missing.join(", ")} not found`);
  return false;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls until the predicate holds; bounded by timeoutMs (and so by a step count). */
export async function waitUntil(
  what: string,
  predicate: () => boolean | Promise<boolean>,
  timeoutMs: number,
  stepMs = 25,
): Promise<number> {
  const start = Date.now();
  const steps = Math.ceil(timeoutMs / stepMs) + 1;
  for (let i = 0; i < steps; i++) {
    if (await predicate()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) break;
    await sleep(stepMs);
  }
  if (await predicate()) return Date.now() - start;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export { seededRandom } from "../../support/random.js";

/**
 * Every item of a paged list (the services cap a page at 500): pages until total is reached,
 * so that a suite counting messages or records sees them all, not the first page.
 */
export function everything<T>(list: (page: { offset: number; limit: number }) => { total: number; items: T[] }): T[] {
  const out: T[] = [];
  for (let guard = 0; guard < 1_000_000; guard++) {
    const page = list({ offset: out.length, limit: 500 });
    out.push(...page.items);
    if (page.items.length === 0 || out.length >= page.total) return out;
  }
  return out;
}
