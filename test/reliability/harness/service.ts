/**
 * The real service as an operator runs it: `node --import tsx src/main.ts run ...` in its own
 * process, with a config file in a temp dir. kill9() is the power cut (no handler runs,
 * nothing is flushed); stop() is the orderly SIGTERM. Every log line (JSON, pino) is kept so
 * that the suites can wait for "duegate started" and scan the lines for unmasked data.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { sleep } from "./tools.js";

export const REPO = resolve(import.meta.dirname, "../../..");

/**
 * Whether src/app.ts starts the MQTT bridge and the HTTP server itself. Until it does, the
 * suites run harness/service-entry.ts, which adds them around the same createApp().
 */
export function adaptersWiredInApp(): boolean {
  const app = readFileSync(join(REPO, "src/app.ts"), "utf8");
  return app.includes("MqttBridge") && app.includes("buildServer");
}

export type Entry = "src/main.ts" | "test/reliability/harness/service-entry.ts";

export function defaultEntry(): Entry {
  return adaptersWiredInApp() ? "src/main.ts" : "test/reliability/harness/service-entry.ts";
}

export interface ServiceOptions {
  dataDir: string;
  /** pty path, tcp://host:port or sim */
  modem: string;
  /** mqtt://127.0.0.1:port, embedded or off */
  mqtt: string;
  /** 127.0.0.1:port */
  http: string;
  /** The rest of the config (merged under the flags), written as the config file. */
  config: Record<string, unknown>;
  env?: Record<string, string>;
  entry?: Entry;
  /** The compiled src/main.js to run with plain node (harness/compiled.ts), as the appliance runs dist/; tsx on src/ without it. */
  compiled?: string;
}

export class ServiceProcess {
  private child: ChildProcess | undefined;
  readonly lines: string[] = [];
  private partial = "";
  private exit: Promise<void> = Promise.resolve();
  starts = 0;
  readonly configFile: string;
  readonly entry: Entry;

  constructor(readonly opts: ServiceOptions) {
    this.configFile = join(opts.dataDir, "..", `duegate-${process.pid}-${Math.random().toString(36).slice(2, 8)}.yaml`);
    // JSON is YAML: the loader reads it as is.
    writeFileSync(this.configFile, JSON.stringify(opts.config, null, 2));
    this.entry = opts.entry ?? defaultEntry();
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What runs: the entry, and whether compiled (the figures say which). */
  get runs(): string {
    return this.opts.compiled && this.entry === "src/main.ts" ? "src/main.ts (compiled JS)" : `${this.entry} (tsx)`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process; resolves once it logged "duegate started" (or rejects with its last lines). */
  async start(timeoutMs = 30_000): Promise<number> {
    if (this.running) throw new Error("service already running");
    const t0 = Date.now();
    const from = this.lines.length;
    const program =
      this.opts.compiled && this.entry === "src/main.ts" ? [this.opts.compiled] : ["--import", "tsx", this.entry];
    const args = [
      ...program,
      "run",
      "--config",
      this.configFile,
      "--modem",
      this.opts.modem,
      "--data",
      this.opts.dataDir,
      "--http",
      this.opts.http,
      "--mqtt",
      this.opts.mqtt,
    ];
    const child = spawn(process.execPath, args, {
      cwd: REPO,
      stdio: ["ignore", "pipe", "pipe"],
      // DUEGATE_RELIABILITY_* are the suites' knobs; the service would read them as config keys and refuse them.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("DUEGATE_RELIABILITY_"))),
        NODE_ENV: "production",
        ...this.opts.env,
      },
    });
    this.child = child;
    this.starts++;
    const take = (d: Buffer) => {
      const text = this.partial + d.toString("utf8");
      const parts = text.split("\n");
      this.partial = parts.pop() ?? "";
      for (const p of parts) if (p.trim()) this.lines.push(p);
    };
    child.stdout!.on("data", take);
    child.stderr!.on("data", take);
    this.exit = new Promise<void>((r) => child.once("exit", () => r()));
    const steps = Math.ceil(timeoutMs / 25);
    for (let i = 0; i < steps; i++) {
      if (this.lines.slice(from).some((l) => l.includes('"duegate started"'))) return Date.now() - t0;
      if (child.exitCode !== null || child.signalCode !== null) break;
      await sleep(25);
    }
    const tail = this.lines.slice(from).slice(-15).join("\n");
    // this child only: a suite may already have started the next one
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    throw new Error(
      `the service did not start within ${timeoutMs} ms (exit ${child.exitCode ?? child.signalCode}):\n${tail}`,
    );
  }

  private exited(): Promise<void> {
    return this.exit;
  }

  /** The power cut: SIGKILL, and wait until the process is gone. */
  async kill9(): Promise<void> {
    const c = this.child;
    if (!c || !this.running) return;
    c.kill("SIGKILL");
    await Promise.race([this.exited(), sleep(5000)]);
  }

  /** Orderly stop (SIGTERM); SIGKILL after timeoutMs. Returns the exit code. */
  async stop(timeoutMs = 25_000): Promise<number | null> {
    const c = this.child;
    if (!c || !this.running) return c?.exitCode ?? null;
    c.kill("SIGTERM");
    await Promise.race([this.exited(), sleep(timeoutMs)]);
    if (this.running) {
      c.kill("SIGKILL");
      await Promise.race([this.exited(), sleep(5000)]);
    }
    return c.exitCode;
  }

  /** Parsed JSON log lines (lines that are not JSON are skipped). */
  logs(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const l of this.lines) {
      try {
        out.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* not JSON: a stack trace from tsx, say; kept in lines */
      }
    }
    return out;
  }
}
