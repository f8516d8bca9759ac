/**
 * A real Mosquitto for one suite: its own config and persistence in a temp dir, on a free
 * loopback port. stop() is SIGTERM (Mosquitto saves its persistence file), so a restart
 * keeps the gateway's persistent session and the QoS 1 messages queued for it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MOSQUITTO, canConnect, freePort, sleep } from "./tools.js";

export class Mosquitto {
  private child: ChildProcess | undefined;
  readonly dir = mkdtempSync(join(tmpdir(), "duegate-rel-mosquitto-"));
  private stderr = "";

  private constructor(readonly port: number) {
    // Started as root, Mosquitto drops to the "mosquitto" user, which must write its persistence file here.
    chmodSync(this.dir, 0o777);
    writeFileSync(
      join(this.dir, "mosquitto.conf"),
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
    const child = spawn(MOSQUITTO, ["-c", join(this.dir, "mosquitto.conf")], { stdio: ["ignore", "ignore", "pipe"] });
    this.child = child;
    child.stderr?.on("data", (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4000)));
    for (let i = 0; i < 400; i++) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited: ${this.stderr}`);
      if (await canConnect(this.port)) return;
      await sleep(25);
    }
    throw new Error(`mosquitto did not listen on ${this.port}: ${this.stderr}`);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    this.child = undefined;
    const exited = new Promise<void>((r) => child.once("exit", () => r()));
    child.kill(signal);
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
