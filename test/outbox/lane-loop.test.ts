/**
 * The loop frame shared by the SIM send loops and the e-mail lane (src/outbox/lane-loop.ts):
 * steps while running, sleeps on the clock until woken, survives a failing step, and on stop
 * waits for the step under way.
 */
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { LaneLoop } from "../../src/outbox/lane-loop.js";
import { settle } from "./helpers.js";

/** A loop that runs the steps a test gives it, then sleeps for an hour. */
class ScriptedLoop extends LaneLoop {
  steps = 0;
  stoppedAfter: number | undefined;
  failNext = false;
  /** While set, a step waits for it (a send under way). */
  gate: Promise<void> | undefined;
  constructor(clock: ManualClock) {
    super({ clock, logger: silentLogger(), label: "test loop", stepLabel: "test step", retryMs: () => 1000 });
  }
  protected async step(): Promise<void> {
    this.steps++;
    if (this.gate) await this.gate;
    if (this.failNext) {
      this.failNext = false;
      throw new Error("store refuses writes");
    }
    await this.sleep(3_600_000);
  }
  protected override stopped(): void {
    this.stoppedAfter = this.steps;
  }
}

let loop: ScriptedLoop | undefined;
afterEach(async () => {
  await loop?.stop();
  loop = undefined;
});

describe("the loop frame of every lane", () => {
  it("takes a step, then sleeps until woken", async () => {
    const clock = new ManualClock();
    loop = new ScriptedLoop(clock);
    loop.start();
    loop.start(); // a second start is no second loop
    await settle(clock);
    expect(loop.steps).toBe(1);
    loop.wake();
    await settle(clock);
    expect(loop.steps).toBe(2);
    await clock.advance(3_600_000); // or until its sleep ends
    await settle(clock);
    expect(loop.steps).toBe(3);
  });

  it("survives a failing step and tries again after retryMs, not before", async () => {
    const clock = new ManualClock();
    loop = new ScriptedLoop(clock);
    loop.failNext = true;
    loop.start();
    await settle(clock);
    expect(loop.steps).toBe(1);
    await clock.advance(999);
    await settle(clock);
    expect(loop.steps).toBe(1);
    await clock.advance(1);
    await settle(clock);
    expect(loop.steps).toBe(2);
  });

  it("on stop, waits for the step under way and then calls stopped()", async () => {
    const clock = new ManualClock();
    loop = new ScriptedLoop(clock);
    let open!: () => void;
    loop.gate = new Promise<void>((r) => (open = r));
    loop.start();
    await settle(clock);
    let done = false;
    const stopping = loop.stop().then(() => (done = true));
    await settle(clock);
    expect(done).toBe(false); // the step is still under way
    open();
    await stopping;
    expect(loop.stoppedAfter).toBe(1);
  });
});
