import { afterAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { waitForValue } from "../support/wait.js";
import { colourWanted, painter } from "../../src/demo/paint.js";
import { parseDemoClock } from "../../src/demo/demo-clock.js";

/**
 * `npm run demo` as a newcomer runs it, in its own process group so that SIGINT reaches npm and
 * node together as Ctrl-C does in a terminal, at a simulated hour (--clock: the demo's own
 * clock, honoured by the demo only). Output is piped, as in a log file: no colour codes.
 */
interface Demo {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** npm re-raises the SIGINT its script stopped on (the shell sees 130, as for any Ctrl-C): "SIGINT" or the exit code. */
  exited: Promise<number | string | null>;
}

const dirs: string[] = [];
const running = new Set<ChildProcess>();

function startDemo(dataDir: string, args: string[]): Demo {
  const child = spawn("npm", ["run", "--silent", "demo", "--", "--data", dataDir, ...args], {
    cwd: process.cwd(),
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    // A clean environment: no DUEGATE_* of the host, no NO_COLOR (piping alone must keep colour out).
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" },
  });
  running.add(child);
  let out = "";
  let err = "";
  child.stdout!.on("data", (b: Buffer) => (out += b.toString("utf8")));
  child.stderr!.on("data", (b: Buffer) => (err += b.toString("utf8")));
  const exited = new Promise<number | string | null>((resolve) =>
    child.on("exit", (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    }),
  );
  return { child, out: () => out, err: () => err, exited };
}

/** Ctrl-C: SIGINT to the whole process group (npm and node). */
function ctrlC(d: Demo): void {
  process.kill(-d.child.pid!, "SIGINT");
}

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), "duegate-demo-"));
  dirs.push(d);
  return d;
}

afterAll(() => {
  for (const c of running) {
    try {
      process.kill(-c.pid!, "SIGKILL");
    } catch {
      /* already gone */
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SUBMITTED = /→ submitted reminder /;

describe("duegate demo", () => {
  it("at 05:00 in Berlin: a reminder is submitted within 60 s, the widened window and the next batch are said, Ctrl-C prints one line; a restart does not replay the debtors", async () => {
    const data = tempDir();
    const first = startDemo(data, ["--mqtt", "off", "--clock", "2026-12-07T05:00:00+01:00"]);
    // Started and ready: the engine line comes once the service runs (start-up time is not the subject).
    await waitForValue("the demo to start", () => first.out().includes("engine:"), 90_000);
    const readyAt = Date.now();
    await waitForValue("a reminder submitted", () => SUBMITTED.test(first.out()), 60_000);
    expect(Date.now() - readyAt).toBeLessThan(60_000);
    const out = first.out();
    expect(out).toMatch(/send window 00:00-23:59 .*widened for the demo.* 08:00-21:00 by default/);
    expect(out).toMatch(/next reminders: \d+ at \d\d:\d\d (today|tomorrow|on \d{4}-\d\d-\d\d)/);
    expect(out).toContain("MQTT        off");
    expect(out).not.toContain("mosquitto_sub");
    expect(out).toMatch(/40 customers in their own languages \(de, en, es, fr, it, nl, pl, pt, tr\)/);

    // The first two debtors answer (6 s and 9 s after start), then Ctrl-C.
    await waitForValue("the first debtor", () => first.out().includes('"Balance?"'), 30_000);
    await waitForValue("the second debtor", () => /"PROMISE \d{4}-\d\d-\d\d"/.test(first.out()), 30_000);
    const beforeOut = first.out().length;
    const beforeErr = first.err().length;
    ctrlC(first);
    expect(await first.exited).toBe("SIGINT");
    const after = first.out().slice(beforeOut) + first.err().slice(beforeErr);
    expect(after.split("\n").filter((l) => l.trim() !== "" && !SUBMITTED.test(l) && !/^\s+[→←✓!$] /.test(l))).toEqual([
      `duegate demo stopped; its data stays in ${data}.`,
    ]);
    expect(first.out() + first.err()).not.toContain("\u001b[");
    expect(JSON.parse(readFileSync(join(data, "demo-script.json"), "utf8"))).toMatchObject({
      steps: expect.arrayContaining(["balance", "promise"]),
    });

    // Restart on the same data: the two answers already played are not put in the inbox again; the rest still play.
    const second = startDemo(data, ["--mqtt", "off", "--clock", "2026-12-07T05:10:00+01:00"]);
    await waitForValue("the restarted demo", () => second.out().includes("engine:"), 90_000);
    await waitForValue(
      "the note on answers already played",
      () => /simulated debtors: 2 of 7 answers were played in an earlier run/.test(second.out()),
      30_000,
    );
    await waitForValue("a later debtor", () => second.out().includes('"stop"'), 40_000);
    expect(second.out()).not.toContain('"Balance?"');
    expect(second.out()).not.toMatch(/"PROMISE /);
    expect(second.out()).not.toContain("sample data:");
    ctrlC(second);
    expect(await second.exited).toBe("SIGINT");
  }, 240_000);

  it("at 23:00 in Berlin with the embedded broker: a reminder within 60 s, and the mosquitto_sub hint works", async () => {
    const data = tempDir();
    const demo = startDemo(data, ["--clock", "2026-12-06T23:00:00+01:00"]);
    await waitForValue("the demo to start", () => demo.out().includes("engine:"), 90_000);
    const readyAt = Date.now();
    await waitForValue("a reminder submitted", () => SUBMITTED.test(demo.out()), 60_000);
    expect(Date.now() - readyAt).toBeLessThan(60_000);
    expect(demo.out()).toMatch(/demo clock {2}started at 2026-12-06T22:00:\d\d/);

    // The hint printed is a command that works: run it and see the gateway's topics.
    const hint = /try: (mosquitto_sub -h (\S+) -p (\d+) -u (\S+) -P '([^']+)' -t '([^']+)' -v)/.exec(demo.out());
    expect(hint).not.toBeNull();
    if (existsSync("/usr/bin/mosquitto_sub") || process.env.CI === "true") {
      const sub = spawn(
        "mosquitto_sub",
        [
          "-h",
          hint![2]!,
          "-p",
          hint![3]!,
          "-u",
          hint![4]!,
          "-P",
          hint![5]!,
          "-t",
          hint![6]!,
          "-v",
          "-C",
          "1",
          "-W",
          "20",
        ],
        { stdio: ["ignore", "pipe", "pipe"] },
      );
      let got = "";
      sub.stdout.on("data", (b: Buffer) => (got += b.toString("utf8")));
      await new Promise((r) => sub.on("exit", r));
      expect(got).toMatch(/^duegate\//);
    }
    ctrlC(demo);
    expect(await demo.exited).toBe("SIGINT");
    expect(demo.out()).not.toContain("\u001b[");
  }, 200_000);

  it("--fast 3: three simulated days on the demo clock, debtors paying and promising in demo time, then a summary and one closing line", async () => {
    const data = tempDir();
    const demo = startDemo(data, ["--mqtt", "off", "--fast", "3", "--clock", "2026-12-07T05:00:00+01:00"]);
    expect(await demo.exited).toBe(0);
    const out = demo.out();
    expect(out).toMatch(/demo clock {2}2026-12-07T04:00:00\.000Z, a time-lapse of 3 days/);
    expect(out).toContain("── day 3 of 3: 2026-12-09 ──");
    expect(out).toMatch(/\$ payment {3}CUST-\d+ paid RE-\d+.* after a reminder/);
    expect(out).toMatch(/✓ keyword {3}PROMISE from .* promised 2026-12-1\d/);
    const summary =
      /time-lapse: 3 simulated days, 2026-12-07 to 2026-12-10\n {2}reminders sent: +(\d+) \(all messages (\d+): (\d+) parts, cost (\d+\.\d\d) at outbox\.costPerPart\)\n {2}paid after a reminder: +(\d+) of (\d+) reminders.*\n {2}promises kept: +(\d+) of (\d+)\n {2}opt-outs: +(\d+)\n {2}DSO before → after: +EUR ([\d.]+) → ([\d.]+) days, GBP/.exec(
        out,
      );
    expect(summary, out.slice(-1500)).not.toBeNull();
    const [reminders, messages, parts, , paid, of, kept, promised] = summary!.slice(1, 9).map(Number) as number[];
    expect(reminders).toBeGreaterThan(0);
    expect(messages).toBeGreaterThanOrEqual(reminders!);
    expect(parts).toBeGreaterThanOrEqual(messages!);
    expect(of).toBe(reminders);
    expect(paid).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(promised!);
    expect(promised).toBeGreaterThan(0);
    // Payments brought the receivables down: DSO after is below DSO before.
    expect(Number(summary![11])).toBeLessThan(Number(summary![10]));
    expect(out.trimEnd().split("\n").at(-1)).toBe(`duegate demo stopped; its data stays in ${data}.`);
    expect(demo.err()).toBe("");
  }, 240_000);
});

describe("demo console helpers", () => {
  it("colour only on a terminal and without NO_COLOR", () => {
    expect(colourWanted({ isTTY: true }, {})).toBe(true);
    expect(colourWanted({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colourWanted({ isTTY: false }, {})).toBe(false);
    expect(colourWanted({}, {})).toBe(false);
    expect(painter(false)("green", "ok")).toBe("ok");
    expect(painter(true)("green", "ok")).toBe("\u001b[32mok\u001b[0m");
  });

  it("--clock takes an instant with its offset and says what is wrong otherwise", () => {
    expect(parseDemoClock("2026-12-07T05:00:00+01:00")).toBe(Date.UTC(2026, 11, 7, 4, 0));
    expect(() => parseDemoClock("2026-12-07 05:00")).toThrow(
      /--clock "2026-12-07 05:00" is invalid, expected an ISO 8601 instant with its offset/,
    );
    expect(() => parseDemoClock("2026-12-07T05:00:00")).toThrow(/with its offset/);
  });
});
