import { describe, expect, it } from "vitest";
import { EventEmitter } from "node:events";
import { silentLogger } from "../../src/core/log.js";
import { onReload } from "../../src/system/reload.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("onReload", () => {
  it("reloads on SIGHUP and tells systemd it is reloading, then ready", async () => {
    const signals = new EventEmitter();
    const notes: string[] = [];
    let reloads = 0;
    const h = onReload(() => void reloads++, {
      logger: silentLogger(),
      signals,
      notifier: {
        reloading: async () => void notes.push("RELOADING=1"),
        ready: async (s) => void notes.push(`READY=1 ${s}`),
      },
    });
    signals.emit("SIGHUP");
    await tick();
    expect(reloads).toBe(1);
    expect(notes).toEqual(["RELOADING=1", "READY=1 reloaded"]);
    h.dispose();
    signals.emit("SIGHUP");
    await tick();
    expect(reloads).toBe(1);
  });

  it("never overlaps reloads and serves a burst of signals with one more reload", async () => {
    const signals = new EventEmitter();
    let active = 0;
    let maxActive = 0;
    let reloads = 0;
    const gates: Array<() => void> = [];
    const h = onReload(
      async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await new Promise<void>((r) => gates.push(r));
        active--;
        reloads++;
      },
      { logger: silentLogger(), signals },
    );
    const first = h.trigger();
    for (let i = 0; i < 5; i++) signals.emit("SIGHUP");
    const later = h.trigger();
    await tick();
    expect(gates.length).toBe(1);
    gates.shift()!();
    await first;
    await tick();
    expect(gates.length).toBe(1); // exactly one follow-up
    gates.shift()!();
    await later;
    expect(reloads).toBe(2);
    expect(maxActive).toBe(1);
    h.dispose();
  });

  it("keeps running after a reload that fails, and says so in the status", async () => {
    const notes: string[] = [];
    const h = onReload(
      () => {
        throw new Error("policy.yaml line 3: unknown step");
      },
      {
        logger: silentLogger(),
        signals: new EventEmitter(),
        notifier: { reloading: async () => {}, ready: async (s) => void notes.push(String(s)) },
      },
    );
    await expect(h.trigger()).resolves.toBeUndefined();
    expect(notes).toEqual(["reload failed: policy.yaml line 3: unknown step"]);
  });

  it("handles a real SIGHUP sent to this process", async () => {
    let reloads = 0;
    const h = onReload(() => void reloads++, { logger: silentLogger() });
    try {
      process.kill(process.pid, "SIGHUP");
      for (let i = 0; i < 100 && reloads === 0; i++) await new Promise((r) => setTimeout(r, 10));
      expect(reloads).toBe(1);
    } finally {
      h.dispose();
    }
  });
});
