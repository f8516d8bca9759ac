/**
 * What every builder of the composition root (src/app.ts) shares: the clock, the logger, the
 * bus, the data directory and the configuration in force.
 */
import type { Storage } from "../store/index.js";
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents } from "../api/events.js";
import type { Config } from "../config/schema.js";

/**
 * The configuration in force. A setting changed in the panel replaces it whole (a new, validated
 * Config) and the services that read the changed keys are told through their applySettings();
 * nothing is changed in place, so a reader holding the old one sees a consistent old one.
 */
export class LiveConfig {
  constructor(private config: Config) {}

  get current(): Config {
    return this.config;
  }

  replace(next: Config): void {
    this.config = next;
  }
}

export interface AppContext {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly bus: EventBus<DomainEvents>;
  /** gateway.dataDir, resolved. */
  readonly dataDir: string;
  /** The data directory's one store (src/store/storage.ts): every service opens its files through it. */
  readonly store: Storage;
  readonly live: LiveConfig;
}
