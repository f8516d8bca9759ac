import type { Clock } from "../../core/clock.js";

/**
 * Waits for `work` at most `graceMs` on the clock; true when it settled in time. Orderly stop
 * uses it so that a hung modem cannot hold a SIGTERM past systemd's TimeoutStopSec.
 */
export async function settledWithin(clock: Clock, graceMs: number, work: Promise<unknown>): Promise<boolean> {
  let timer: { cancel(): void } | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = clock.setTimer(graceMs, () => resolve(false));
  });
  try {
    return await Promise.race([
      work.then(
        () => true,
        () => true,
      ),
      expired,
    ]);
  } finally {
    timer?.cancel();
  }
}
