/**
 * The `modems:` list edited from the panel (src/service/pool-entries.ts), wired to the panel's
 * settings: a saved list reaches the running pool through the same hot plug as a SIGHUP
 * reload (PoolHotPlug.apply), and what the pool did goes back to the change that asked.
 */
import type { Config } from "../config/schema.js";
import { errorMessage } from "../core/errors.js";
import { PoolEntries, profileRefusal, type PoolChangeSummary } from "../service/pool-entries.js";
import { profileNames, SINGLE_MODEM_ID } from "../modem/index.js";
import type { AppContext } from "./context.js";
import type { Domain } from "./domain.js";
import { invalid, readsKeys, target, type LiveSettings } from "./live-settings.js";

export function buildPoolEntries(ctx: AppContext, d: Domain, settings: LiveSettings): PoolEntries {
  // The profiles ship with the appliance: read once.
  const profiles = profileNames();
  const entries = new PoolEntries({
    config: () => ctx.live.current,
    settings,
    singleModemId: SINGLE_MODEM_ID,
    profiles: () => profiles,
  });
  // Any change of `modems` (this editor's, or a PATCH /api/v1/settings naming it) goes through the hot plug.
  settings.register(
    target(
      "modems",
      readsKeys("modems"),
      async (next) => entries.applied(await applyToPool(ctx, d, next)),
      (next) => checkProfiles(next, profiles),
    ),
  );
  return entries;
}

/**
 * The saved list put in force. Should the running pool fail to take it (a driver that cannot be
 * built), the list is saved all the same and the answer says it waits for the next start.
 */
async function applyToPool(ctx: AppContext, d: Domain, next: Config): Promise<PoolChangeSummary> {
  try {
    return await d.hotPlug.apply(next);
  } catch (e) {
    ctx.logger.error({ err: errorMessage(e) }, "modem pool: the saved modems: list could not be put in force");
    return {
      added: [],
      removed: [],
      replaced: [],
      restartRequired: `the running pool could not take the change (${errorMessage(e)}); it takes effect after the next start`,
    };
  }
}

/** A profile the appliance lacks would stop that modem's driver at its start: refused before it is saved. */
function checkProfiles(next: Config, known: readonly string[]): void {
  next.modems.forEach((m, i) => {
    const refusal = profileRefusal(m.profile, known);
    if (refusal) throw invalid(`modems.${i}.profile`, refusal);
  });
}
