/**
 * The `modems:` list edited from the panel (src/service/pool-entries.ts), wired to the panel's
 * settings: a saved list reaches the running pool through the same hot plug as a SIGHUP
 * reload (PoolHotPlug.apply), and what the pool did goes back to the change that asked.
 */
import { PoolEntries } from "../service/pool-entries.js";
import { SINGLE_MODEM_ID } from "../modem/index.js";
import type { AppContext } from "./context.js";
import type { Domain } from "./domain.js";
import { readsKeys, target, type LiveSettings } from "./live-settings.js";

export function buildPoolEntries(ctx: AppContext, d: Domain, settings: LiveSettings): PoolEntries {
  const list = new PoolEntries({ config: () => ctx.live.current, settings, singleModemId: SINGLE_MODEM_ID });
  settings.register(target("modems", readsKeys("modems"), async (next) => list.applied(await d.hotPlug.apply(next))));
  return list;
}
