import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { silentLogger } from "../../src/core/log.js";
import { ManualClock } from "../../src/core/clock.js";
import {
  createNotifier,
  startWatchdog,
  watchdogIntervalFromEnv,
  type NotifySender,
} from "../../src/system/sd-notify.js";
import { openFakeNotifySocket, type FakeNotifySocket } from "./helpers/notify-socket.js";

function toolPresent(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const haveTools = toolPresent("python3", ["-c", "pass"]) && toolPresent("systemd-notify", ["--version"]);
if (!haveTools && process.env.CI === "true")
  throw new Error("CI: python3 and systemd-notify are required for the sd_notify tests");
const real = haveTools ? describe : describe.skip;
if (!haveTools) console.warn("skipping the real sd_notify tests: python3 or systemd-notify is missing");

function recordingSender(): { sender: NotifySender; sent: string[][] } {
  const sent: string[][] = [];
  return { sent, sender: async (a) => void sent.push(a) };
}

describe("createNotifier", () => {
  it("does nothing outside systemd", async () => {
    const { sender, sent } = recordingSender();
    const n = createNotifier({ PATH: process.env.PATH }, { sender });
    expect(n.enabled).toBe(false);
    expect(n.watchdogIntervalMs).toBeUndefined();
    await n.ready("up");
    await n.watchdog();
    await n.stopping();
    expect(sent).toEqual([]);
  });

  it("pings at half of WATCHDOG_USEC, and only for the process systemd watches", () => {
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: "60000000" })).toBe(30_000);
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: "60000000", WATCHDOG_PID: String(process.pid) })).toBe(30_000);
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: "60000000", WATCHDOG_PID: "1" })).toBeUndefined();
    expect(watchdogIntervalFromEnv({ WATCHDOG_USEC: "garbage" })).toBeUndefined();
    expect(watchdogIntervalFromEnv({})).toBeUndefined();
  });

  it("flattens a status text to one short line", async () => {
    const { sender, sent } = recordingSender();
    const n = createNotifier({ NOTIFY_SOCKET: "/run/x" }, { sender });
    await n.status("modem\nready\u0000 now " + "x".repeat(500));
    expect(sent[0]![0]).toMatch(/^STATUS=modem ready now x+$/);
    expect(sent[0]![0]!.length).toBeLessThanOrEqual("STATUS=".length + 200);
  });

  it("survives a sender that fails", async () => {
    const n = createNotifier(
      { NOTIFY_SOCKET: "/run/x" },
      { sender: () => Promise.reject(new Error("boom")), logger: silentLogger() },
    );
    await expect(n.ready()).resolves.toBeUndefined();
  });
});

describe("startWatchdog (manual clock)", () => {
  it("withholds WATCHDOG=1 while unhealthy and resumes when healthy", async () => {
    const { sender, sent } = recordingSender();
    const clock = new ManualClock();
    const n = createNotifier({ NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "2000000" }, { sender });
    let healthy = true;
    const wd = startWatchdog({ notifier: n, healthy: () => healthy, logger: silentLogger(), clock });
    const flush = async () => {
      for (let i = 0; i < 10; i++) await Promise.resolve();
    };
    await flush();
    expect(sent.length).toBe(1); // the ping at start
    await clock.advance(1000);
    await flush();
    expect(sent.length).toBe(2);
    healthy = false;
    await clock.advance(1000);
    await flush();
    await clock.advance(1000);
    await flush();
    expect(sent.length).toBe(2);
    healthy = true;
    await clock.advance(1000);
    await flush();
    expect(sent.length).toBe(3);
    expect(sent.every((a) => a.join() === "WATCHDOG=1")).toBe(true);
    wd.stop();
    await clock.advance(5000);
    await flush();
    expect(sent.length).toBe(3);
  });

  it("treats a health check that never answers as unhealthy", async () => {
    const { sender, sent } = recordingSender();
    const clock = new ManualClock();
    const n = createNotifier({ NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "2000000" }, { sender });
    const wd = startWatchdog({
      notifier: n,
      healthy: () => new Promise<boolean>(() => {}),
      logger: silentLogger(),
      clock,
    });
    for (let i = 0; i < 5; i++) {
      await clock.advance(1000);
      for (let j = 0; j < 10; j++) await Promise.resolve();
    }
    expect(sent).toEqual([]);
    wd.stop();
  });

  it("is not started when systemd asked for no watchdog", () => {
    const n = createNotifier({ NOTIFY_SOCKET: "/run/x" }, { sender: async () => {} });
    expect(startWatchdog({ notifier: n, healthy: () => true, logger: silentLogger() }).running).toBe(false);
  });
});

real("through systemd-notify to a real datagram socket", () => {
  let socket: FakeNotifySocket | undefined;
  afterEach(async () => {
    await socket?.close();
    socket = undefined;
  });

  it("delivers READY=1, STATUS, WATCHDOG=1 and STOPPING=1", async () => {
    socket = await openFakeNotifySocket();
    const n = createNotifier(
      { NOTIFY_SOCKET: socket.path, WATCHDOG_USEC: "400000", PATH: process.env.PATH },
      { logger: silentLogger() },
    );
    expect(n.watchdogIntervalMs).toBe(200);
    await n.ready("ready: modem sim, queue 0");
    await socket.waitFor((m) => m.some((x) => x.includes("READY=1")));
    const ready = socket.messages.find((x) => x.includes("READY=1"))!;
    expect(ready).toContain("STATUS=ready: modem sim, queue 0");

    let healthy = true;
    const wd = startWatchdog({ notifier: n, healthy: () => healthy, logger: silentLogger() });
    await socket.waitFor((m) => m.filter((x) => x.includes("WATCHDOG=1")).length >= 2);
    healthy = false;
    await new Promise((r) => setTimeout(r, 300)); // let a ping in flight land
    const count = socket.messages.filter((x) => x.includes("WATCHDOG=1")).length;
    await new Promise((r) => setTimeout(r, 700));
    expect(socket.messages.filter((x) => x.includes("WATCHDOG=1")).length).toBe(count);
    wd.stop();

    await n.stopping();
    await socket.waitFor((m) => m.some((x) => x.includes("STOPPING=1")));
  });

  it("reports a missing socket without throwing", async () => {
    const n = createNotifier(
      { NOTIFY_SOCKET: "/nonexistent/notify.sock", PATH: process.env.PATH },
      { logger: silentLogger() },
    );
    await expect(n.ready()).resolves.toBeUndefined();
  });
});
