/** The service's logger: pino with the configuration's secret keys redacted wherever they appear. */
import { createLogger, type LogRing, type Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import { secretKeyNames } from "../config/settings-catalog.js";

export function appLogger(config: Pick<Config, "log">, ring: LogRing): Logger {
  return createLogger({
    level: config.log.level,
    ...(config.log.pretty !== undefined ? { pretty: config.log.pretty } : {}),
    ring,
    secretKeys: secretKeyNames(),
  });
}
