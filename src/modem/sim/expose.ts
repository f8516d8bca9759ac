import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { SimLink } from "./link.js";
import type { ModemSimulator } from "./simulator.js";

/** Serves the simulator on a TCP port (zwave-js bin/mock-server.cjs): tcp://127.0.0.1:<port>. */
export async function serveTcp(
  sim: ModemSimulator,
  port: number,
  host = "127.0.0.1",
): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    if (sim.clock.now() < sim.unpluggedUntil) {
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    const link: SimLink = { send: (b) => void socket.write(b), drop: () => socket.destroy() };
    sim.attach(link);
    socket.on("data", (d) => sim.receiveFrom(link, d));
    socket.on("close", () => sim.detach(link));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

let ptyCounter = 0;

/**
 * Serves the simulator on a pseudo-terminal: socat links a pty (path returned) to the TCP
 * server, so a real serial stack (serialport's native binding) talks to the simulator.
 * socat ends when the pty's user closes it or the simulator drops the line (unplug); it is
 * started again (bounded) until close().
 */
export async function servePty(
  sim: ModemSimulator,
  socatPath = "/usr/bin/socat",
): Promise<{ path: string; close(): Promise<void> }> {
  if (!existsSync(socatPath))
    throw new DuegateError(
      ErrorCode.ModemUnplugged,
      `socat not found at ${socatPath}: cannot expose the simulator on a pty`,
      { socatPath },
    );
  const tcp = await serveTcp(sim, 0);
  const path = join(tmpdir(), `duegate-sim-${process.pid}-${ptyCounter++}`);
  let closed = false;
  let child: ChildProcess | undefined;
  let restarts = 0;
  const start = () => {
    child = spawn(socatPath, [`PTY,raw,echo=0,link=${path},wait-slave`, `TCP:127.0.0.1:${tcp.port}`], {
      stdio: "ignore",
    });
    child.on("exit", () => {
      child = undefined;
      if (!closed && restarts++ < 1000) setTimeout(() => !closed && start(), 100).unref();
    });
  };
  start();
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  if (!existsSync(path)) {
    closed = true;
    child?.kill();
    await tcp.close();
    throw new DuegateError(ErrorCode.ModemUnplugged, `socat did not create the pty ${path}`, { path });
  }
  return {
    path,
    async close() {
      closed = true;
      const c = child;
      if (c) {
        const exited = new Promise<void>((r) => c.once("exit", () => r()));
        c.kill();
        await Promise.race([exited, new Promise((r) => setTimeout(r, 2000))]);
      }
      await tcp.close();
    },
  };
}
