/**
 * npm run bench:reliability: runs the reliability suites (test/reliability) and prints what
 * they measured as one JSON line: crash (lost, sent twice, in doubt, inbound lost, restart
 * times), crashEmail (mails lost, twice, resent in doubt, history against the SMTP server), modem faults (recovery per fault), broker outage, bad input, security and soak
 * (heap per day, resources, timers, history rotation), with the tests that failed.
 *
 * DUEGATE_RELIABILITY_SCALE=4 npm run bench:reliability makes a larger local run; the seed of
 * the crash suite's kill moments is printed and can be replayed with DUEGATE_RELIABILITY_SEED.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFigures } from "../test/reliability/harness/figures.js";

const repo = resolve(import.meta.dirname, "..");
const dir = mkdtempSync(join(tmpdir(), "duegate-rel-figures-"));
// vitest's own report goes beside the figures directory, not into it (readFigures reads every .json there)
const results = `${dir}-vitest.report`;
const started = Date.now();
const run = spawnSync(
  process.execPath,
  [
    join(repo, "node_modules/vitest/vitest.mjs"),
    "run",
    "test/reliability",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${results}`,
  ],
  {
    cwd: repo,
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, DUEGATE_RELIABILITY_FIGURES: dir },
    timeout: 30 * 60_000,
  },
);

interface JsonReport {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>;
}
let tests: { passed: number; failed: number; skipped: number; failedNames: string[] } = {
  passed: 0,
  failed: 0,
  skipped: 0,
  failedNames: [],
};
try {
  const r = JSON.parse(readFileSync(results, "utf8")) as JsonReport;
  tests = {
    passed: r.numPassedTests,
    failed: r.numFailedTests,
    skipped: r.numPendingTests,
    failedNames: r.testResults.flatMap((f) =>
      f.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName),
    ),
  };
} catch {
  tests.failedNames.push("vitest wrote no report");
}
const figures = readFigures(dir);
rmSync(dir, { recursive: true, force: true });
rmSync(results, { force: true });
console.log(
  JSON.stringify({
    bench: "reliability",
    scale: Number(process.env.DUEGATE_RELIABILITY_SCALE ?? "1"),
    wallMs: Date.now() - started,
    tests,
    ...figures,
  }),
);
process.exitCode = run.status === 0 ? 0 : 1;
