/**
 * A real Mosquitto on a free loopback port with its own config and persistence dir, and the
 * small network helpers around it; the bridge tests, the reliability suites and bench/ingest
 * share them. stop() is SIGTERM (Mosquitto saves its persistence file), so a restart keeps
 * the persistent sessions and the QoS 1 messages queued for them.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const MOSQUITTO = "/usr/sbin/mosquitto";

export function mosquittoAvailable(): boolean {
  return existsSync(MOSQUITTO);
}

/** Under CI a missing tool fails the suite instead of skipping it. */
export function requireOrSkip(available: boolean, tool: string): boolean {
  if (available) return true;
  if (process.env.CI === "true") throw new Error(`${tool} is required under CI=true and was not found`);
  console.warn(`skipping: ${tool} not found`);
  return false;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor(what: string, predicate: () => boolean, timeoutMs: number, stepMs = 25): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let i = 0; i < Math.ceil(timeoutMs / stepMs) + 1; i++) {
    if (predicate()) return;
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  if (!predicate()) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export class Mosquitto {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "duegate-mosquitto-"));
  readonly config = join(this.dir, "mosquitto.conf");
  private stderr = "";

  constructor(readonly port: number) {
    // Started as root, Mosquitto drops to the "mosquitto" user, which must write its persistence file here.
    chmodSync(this.dir, 0o777);
    writeFileSync(
      this.config,
      [
        `listener ${port} 127.0.0.1`,
        "allow_anonymous true",
        "persistence true",
        `persistence_location ${this.dir}/`,
        "autosave_interval 1",
        "max_queued_messages 200000",
        "max_inflight_messages 100",
        "log_dest none",
        "",
      ].join("\n"),
    );
  }

  /** On a free port, listening when it resolves. */
  static async start(): Promise<Mosquitto> {
    const m = new Mosquitto(await freePort());
    await m.start();
    return m;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null;
  }

  async start(): Promise<void> {
    const child = spawn(MOSQUITTO, ["-c", this.config], { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited: ${this.stderr}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error(`mosquitto did not listen on ${this.port}: ${this.stderr}`);
  }

  /** SIGTERM: Mosquitto writes its persistence file (sessions, queued messages) and exits. */
  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill(signal);
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}
