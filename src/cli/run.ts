import { loadConfig } from "../config/load.js";
import { LogRing } from "../core/log.js";
import { appLogger } from "../compose/logger.js";
import { createApp } from "../app.js";
import { createNotifier, startWatchdog } from "../system/sd-notify.js";
import { onReload } from "../system/reload.js";
import { flagOverrides } from "./options.js";
import { installSignalHandlers } from "./signals.js";

export async function runCommand(opts: Record<string, string | undefined>): Promise<void> {
  const { config, file } = loadConfig({
    ...(opts.config ? { file: opts.config } : {}),
    overrides: flagOverrides(opts),
  });
  const logRing = new LogRing();
  const logger = appLogger(config, logRing);
  const notifier = createNotifier(process.env, { logger });
  const app = await createApp(config, { logger, logRing, ...(file ? { configFile: file } : {}) });
  const reload = onReload(() => app.reload(), { logger, notifier });
  const running: { watchdog?: { stop(): void } } = {};
  installSignalHandlers({
    logger,
    stop: async () => {
      await notifier.stopping("stopping");
      running.watchdog?.stop();
      reload.dispose();
      await app.stop();
    },
  });
  await app.start();
  const { modem, outbox } = app.services;
  await notifier.ready(`ready: modem ${modem.health().state}, queue ${outbox.stats().queued}`);
  // The pings prove the modem's health loop turns (a hung AT channel stops them), not that a
  // modem is plugged in: a missing modem is recovered in-process, a restart would not help.
  const healthWindowMs = 3 * config.modem.healthIntervalSeconds * 1000;
  running.watchdog = startWatchdog({
    notifier,
    logger,
    healthy: () => app.services.clock.now() - modem.health().at < healthWindowMs,
  });
}
