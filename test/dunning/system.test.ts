import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { CronScheduler } from "../../src/system/scheduler.js";
import { SystemClockTrust } from "../../src/system/clock-trust.js";

describe("CronScheduler", () => {
  it("runs a job at each cron time of the injected clock, and stops", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1, 0, 0, 30));
    const runs: string[] = [];
    const job = new CronScheduler(clock, silentLogger()).schedule(
      "t",
      "0 */15 * * * *",
      () => void runs.push(new Date(clock.now()).toISOString().slice(11, 19)),
      { timeZone: "UTC" },
    );
    expect(job.nextRun()).toBe(Date.UTC(2026, 0, 1, 0, 15));
    await clock.advance(46 * 60_000);
    expect(runs).toEqual(["00:15:00", "00:30:00", "00:45:00"]);
    job.stop();
    await clock.advance(60 * 60_000);
    expect(runs).toHaveLength(3);
    expect(clock.pendingTimers).toBe(0);
  });

  it("refuses an expression it cannot read, naming it", () => {
    expect(() => new CronScheduler(new ManualClock(), silentLogger()).schedule("t", "every day", () => {})).toThrow(
      /cannot read cron expression "every day"/,
    );
  });

  it("keeps running after a job throws", async () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    let n = 0;
    new CronScheduler(clock, silentLogger()).schedule("t", "0 * * * * *", () => {
      n++;
      throw new Error("boom");
    });
    await clock.advance(3 * 60_000);
    expect(n).toBe(3);
  });
});

describe("SystemClockTrust", () => {
  const base = (over: Partial<ConstructorParameters<typeof SystemClockTrust>[0]> = {}) => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
    return {
      clock,
      trust: new SystemClockTrust({
        clock,
        logger: silentLogger(),
        override: false,
        toleranceMs: 120_000,
        recheckMs: 30_000,
        ntpSynchronized: async () => false,
        ...over,
      }),
    };
  };

  it("trusts NTP synchronisation", async () => {
    const { trust } = base({ ntpSynchronized: async () => true });
    expect(await trust.check()).toMatchObject({ trusted: true, source: "ntp" });
  });

  it("trusts the modem's network time when it agrees within the tolerance, not otherwise", async () => {
    const { clock, trust } = base({ networkTime: async () => clock.now() + 30_000 });
    expect(await trust.check()).toMatchObject({ trusted: true, source: "modem", offsetMs: 30_000 });
    const off = base({ networkTime: async () => Date.UTC(2000, 0, 1) });
    expect(await off.trust.check()).toMatchObject({ trusted: false, source: "none" });
    expect(off.trust.status().detail).toMatch(/differs from the system clock/);
  });

  it("trusts the configuration override", async () => {
    const { trust } = base({ override: true });
    expect(await trust.check()).toMatchObject({ trusted: true, source: "config" });
  });

  it("checks again until trusted, then tells its listeners once", async () => {
    let synced = false;
    const { clock, trust } = base({ ntpSynchronized: async () => synced });
    let told = 0;
    trust.onTrusted(() => told++);
    await trust.start();
    await clock.advance(60_000);
    expect(told).toBe(0);
    synced = true;
    await clock.advance(30_000);
    expect(told).toBe(1);
    expect(trust.status().source).toBe("ntp");
    await clock.advance(120_000);
    expect(told).toBe(1);
    trust.stop();
  });
});
