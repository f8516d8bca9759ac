import { performance } from "node:perf_hooks";

/**
 * What the simulated radio did, measured in real time (performance.now): how long it was
 * busy sending parts, and the gap between answering one AT+CMGS and receiving the next.
 * bench/modem.ts computes utilization and the driver's overhead from these.
 */
export class RadioMeter {
  busyMs = 0;
  parts = 0;
  firstStartAt: number | undefined;
  lastEndAt: number | undefined;
  /** Gap between the answer to one send and the next AT+CMGS, per consecutive pair. */
  readonly gapsMs: number[] = [];
  private lastAnswerAt: number | undefined;

  /** An AT+CMGS arrived. */
  commandArrived(): void {
    const now = performance.now();
    if (this.lastAnswerAt !== undefined && this.gapsMs.length < 100_000) this.gapsMs.push(now - this.lastAnswerAt);
    this.lastAnswerAt = undefined;
  }

  /** The radio starts sending a part; returns a function to call when it is done. */
  startPart(): () => void {
    const start = performance.now();
    this.firstStartAt ??= start;
    return () => {
      const end = performance.now();
      this.busyMs += end - start;
      this.parts++;
      this.lastEndAt = end;
      this.lastAnswerAt = end;
    };
  }

  reset(): void {
    this.busyMs = 0;
    this.parts = 0;
    this.firstStartAt = undefined;
    this.lastEndAt = undefined;
    this.lastAnswerAt = undefined;
    this.gapsMs.length = 0;
  }
}
