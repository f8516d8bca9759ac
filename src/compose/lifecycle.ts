/**
 * Start in dependency order, stop in reverse: never half-started (sending SMS with no API, or
 * holding the data lock for nothing), and stopped once however often stop() is called.
 */
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { Service } from "../core/lifecycle.js";

export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether a service has started and not stopped (a live setting restarts only what runs). */
  running(service: Service): boolean;
}

export interface LifecycleOptions {
  /** Services in start order. */
  order: Service[];
  /**
   * Pairs stopped together: the outbox waits for the part at the modem, and the modem bounds
   * that wait by modem.stopGraceMs and then cuts it short, so the two must stop at once.
   */
  stopTogether?: [Service, Service];
  /** Run after every service has stopped, in order (files closed, the data lock released). */
  close: Array<() => unknown>;
  logger: Logger;
}

export function lifecycle(o: LifecycleOptions): Lifecycle {
  const started: Service[] = [];
  let stopping: Promise<void> | undefined;

  async function stopEverything(): Promise<void> {
    const [first, second] = o.stopTogether ?? [];
    for (const s of started.reverse()) {
      try {
        if (s === first && second && started.includes(second)) await Promise.all([s.stop(), second.stop()]);
        else await s.stop();
      } catch (e) {
        o.logger.error({ service: s.name, err: errorMessage(e) }, "stop failed");
      }
    }
    started.length = 0;
    for (const close of o.close) await close();
  }
  const stop = (): Promise<void> => (stopping ??= stopEverything());

  return {
    async start() {
      for (const s of o.order) {
        try {
          await s.start();
        } catch (e) {
          o.logger.error({ service: s.name, err: errorMessage(e) }, "start failed; stopping what has started");
          await stop();
          throw e;
        }
        started.push(s);
      }
    },
    stop,
    running: (s) => started.includes(s),
  };
}
