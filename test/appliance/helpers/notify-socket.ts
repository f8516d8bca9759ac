/**
 * A fake systemd notify socket: a python3 AF_UNIX datagram listener that prints each
 * datagram as one JSON line and closes any file descriptor passed with it (systemd-notify
 * sends BARRIER=1 with a pipe fd and waits until the manager closes it).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

const LISTENER = String.raw`
import json, os, socket, sys, array
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
sys.stdout.write(json.dumps({"bound": path}) + "\n"); sys.stdout.flush()
while True:
    data, anc, flags, addr = s.recvmsg(4096, socket.CMSG_SPACE(16 * 4))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i"); fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
            for fd in fds: os.close(fd)
    sys.stdout.write(json.dumps({"message": data.decode("utf-8", "replace")}) + "\n"); sys.stdout.flush()
`;

export interface FakeNotifySocket {
  path: string;
  /** Each datagram received, in order. */
  messages: string[];
  waitFor(predicate: (messages: string[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openFakeNotifySocket(): Promise<FakeNotifySocket> {
  const dir = mkdtempSync(join(tmpdir(), "duegate-notify-"));
  const path = join(dir, "notify.sock");
  const child: ChildProcess = spawn("python3", ["-c", LISTENER, path], { stdio: ["ignore", "pipe", "pipe"] });
  const messages: string[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const bound = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`notify listener did not start: ${stderr}`)), 10_000);
    child.once("exit", (code) => reject(new Error(`notify listener exited (${code}): ${stderr}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line) as { bound?: string; message?: string };
      if (parsed.bound) {
        clearTimeout(timer);
        resolve();
      }
      if (parsed.message !== undefined) {
        messages.push(parsed.message);
        for (const w of waiters) w();
      }
    });
  });
  await bound;
  return {
    path,
    messages,
    waitFor(predicate, timeoutMs = 10_000) {
      if (predicate(messages)) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const check = () => {
          if (!predicate(messages)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out; received so far: ${JSON.stringify(messages)}`));
        }, timeoutMs);
        waiters.add(check);
      });
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
