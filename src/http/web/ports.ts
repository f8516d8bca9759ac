/**
 * What the web panel's own routes use of the running services: a narrow view that
 * AppServices (src/app-services.ts) satisfies, so that tests can pass only these.
 */
import type { Clock } from "../../core/clock.js";
import type { EventBus } from "../../core/bus.js";
import type { LogRing } from "../../core/log.js";
import type { DomainEvents, ModemHealthEvent } from "../../api/events.js";

export interface WebServices {
  readonly clock: Clock;
  readonly bus: EventBus<DomainEvents>;
  readonly logRing: LogRing;
  readonly modem?: { health(): ModemHealthEvent };
  readonly outbox?: { stats(): Record<string, number> };
  readonly version?: string;
  readonly startedAt?: number;
}
