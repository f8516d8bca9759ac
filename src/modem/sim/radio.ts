import { performance } from "node:perf_hooks";

/**
 * What the simulated radio did, measured in real time (performance.now): how long it was
 * busy sending parts, and how long it sat idle between answering one part and receiving the
 * next part's PDU (AT+CMGS, the prompt and the body: all the host's doing). bench/modem.ts
 * computes utilization and the driver's overhead from these.
 */
export class RadioMeter {
  busyMs = 0;
  parts = 0;
  firstStartAt: number | undefined;
  lastEndAt: number | undefined;
  /** Idle time between the answer to one part and the next part's PDU, per consecutive pair. */
  readonly gapsMs: number[] = [];
  private lastAnswerAt: number | undefined;

  /** The radio starts sending a part (at `start`, when its PDU arrived); returns a function to call when it is done. */
  startPart(start = performance.now()): () => void {
    this.firstStartAt ??= start;
    if (this.lastAnswerAt !== undefined && this.gapsMs.length < 100_000) this.gapsMs.push(start - this.lastAnswerAt);
    this.lastAnswerAt = undefined;
    return () => {
      const end = performance.now();
      this.busyMs += end - start;
      this.parts++;
      this.lastEndAt = end;
      this.lastAnswerAt = end;
    };
  }

  now(): number {
    return performance.now();
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
