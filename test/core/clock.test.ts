import { describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";

describe("ManualClock", () => {
  it("fires timers in time order as it advances, and not before", async () => {
    const clock = new ManualClock(1000);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push("b"));
    clock.setTimer(100, () => fired.push("a"));
    const c = clock.setTimer(200, () => fired.push("cancelled"));
    c.cancel();
    await clock.advance(150);
    expect(fired).toEqual(["a"]);
    await clock.advance(1000);
    expect(fired).toEqual(["a", "b"]);
    expect(clock.now()).toBe(2150);
    expect(clock.pendingTimers).toBe(0);
  });

  it("runs timers set by timers within the same advance", async () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now());
      clock.setTimer(10, () => fired.push(clock.now()));
    });
    await clock.advance(100);
    expect(fired).toEqual([10, 20]);
  });
});
