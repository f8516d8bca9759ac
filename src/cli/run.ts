import { loadConfig } from "../config/load.js";
import { createLogger, LogRing } from "../core/log.js";
import { createApp } from "../app.js";
import { flagOverrides } from "./options.js";
import { installSignalHandlers } from "./signals.js";

export async function runCommand(opts: Record<string, string | undefined>): Promise<void> {
  const { config, file } = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: flagOverrides(opts) });
  const logRing = new LogRing();
  const logger = createLogger({ level: config.log.level, ...(config.log.pretty !== undefined ? { pretty: config.log.pretty } : {}), ring: logRing });
  const app = await createApp(config, { logger, logRing, ...(file ? { configFile: file } : {}) });
  installSignalHandlers({ stop: () => app.stop(), reload: () => app.reload(), logger });
  await app.start();
}
