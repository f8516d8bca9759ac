/**
 * What the composition root does around start and SIGHUP: the one line that says the service
 * runs (with each modem's port), the unsafe settings said loudly at every start as
 * `duegate doctor` says them, and the reload of the config file (the modems: list and the policy).
 */
import type { Config } from "../config/schema.js";
import { loadConfig } from "../config/load.js";
import { fileStorage, type Storage } from "../store/index.js";
import { securityChecks } from "../system/security-warnings.js";
import { VERSION } from "../version.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import type { AppContext } from "./context.js";
import type { Domain } from "./domain.js";

/** The data directory's one store, with the storage settings of the configuration. */
export function dataStore(config: Config, dataDir: string, clock: Clock, logger: Logger): Storage {
  return fileStorage({
    dataDir,
    clock,
    logger: logger.child({ sub: "store" }),
    flushIntervalMs: config.storage.flushIntervalMs,
    historyRetentionDays: config.storage.historyRetentionDays,
    compactMinBytes: config.storage.ledgerCompactMinBytes,
    compactRatio: config.storage.ledgerCompactRatio,
  });
}

export function announceStart(ctx: AppContext, d: Domain): void {
  const modems = d.modem.members.map((m) => `${m.id}: ${m.spec.port === "sim" ? "simulator" : m.spec.port}`);
  ctx.logger.info({ version: VERSION, dataDir: ctx.dataDir, modem: modems.join(", ") }, "duegate started");
  for (const c of securityChecks(ctx.live.current, ctx.dataDir))
    if (!c.ok) ctx.logger.warn({ check: c.name, fix: c.hint }, `unsafe: ${c.detail}`);
}

/** SIGHUP: the modems and the policy in the config file take effect; the rest needs a restart. */
export async function reloadConfigFile(ctx: AppContext, d: Domain, configFile: string | undefined): Promise<void> {
  if (!configFile) return;
  const { config: fresh } = loadConfig({ file: configFile });
  // The modems (the modems: list or the single modem:) start, stop or are replaced with their lanes.
  await d.hotPlug.apply(fresh);
  if (fresh.dunning.policy === undefined)
    return ctx.logger.info("the config file has no dunning.policy; the policy in force stays");
  const version = await d.dunning.setPolicy(fresh.dunning.policy, "reload");
  ctx.logger.info({ version: version.version }, "policy reloaded from the config file");
}
