/**
 * The `modems:` list edited from the panel (src/service/pool-entries.ts), wired to the panel's
 * settings: a saved list reaches the running pool through the same hot plug as a SIGHUP
 * reload (PoolHotPlug.apply), and what the pool did goes back to the change that asked.
 */
import type { Config } from "../config/schema.js";
import { PoolEntries, profileRefusal } from "../service/pool-entries.js";
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
      async (next) => entries.applied(await d.hotPlug.apply(next)),
      (next) => checkProfiles(next, profiles),
    ),
  );
  return entries;
}

/** A profile the appliance lacks would stop that modem's driver at its start: refused before it is saved. */
function checkProfiles(next: Config, known: readonly string[]): void {
  next.modems.forEach((m, i) => {
    const refusal = profileRefusal(m.profile, known);
    if (refusal) throw invalid(`modems.${i}.profile`, refusal);
  });
}
