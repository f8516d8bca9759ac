/**
 * Settings changed in the web panel, put in force without a restart: validated by the overlay
 * (src/config/overlay.ts), checked by the services that will take them, saved to
 * <dataDir>/settings.yaml, then the configuration in force is replaced and every service that
 * reads a changed key gets it through its typed applySettings(). Which keys wait for the next
 * start is a fact of the schema (src/config/setting-facts.ts `restart`), not a list here.
 */
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { Config } from "../config/schema.js";
import type { FieldProblem, SettingsOverlay } from "../config/overlay.js";
import { needsRestart } from "../config/settings-catalog.js";
import type { PanelSettingsPort, ReconfigureResult } from "../app-services.js";
import type { LiveConfig } from "./context.js";

/** A running service's side of a settings change. */
export interface SettingsTarget {
  name: string;
  /** Whether a change of this key concerns it. */
  reads(key: string): boolean;
  /**
   * Refuses what the schema cannot see (an alias claimed by two keywords), before anything is
   * saved: saved, it would stop the next start. Throws a DuegateError whose context names the
   * key (`where` or `field`).
   */
  check?(next: Config): void;
  applySettings(next: Config, changed: readonly string[]): void | Promise<void>;
}

export interface LiveSettings extends PanelSettingsPort {
  /**
   * One more service that takes settings live (the modem pool's `modems:` entries, say);
   * registered before the first change.
   */
  register(target: SettingsTarget): void;
}

/** Keys a service reads: "outbox." is a section and everything in it, "dunning.paidPauseDays" one key. */
export const readsKeys =
  (...prefixes: string[]) =>
  (key: string): boolean =>
    prefixes.some((p) => (p.endsWith(".") ? key.startsWith(p) : key === p));

export function liveSettings(o: {
  live: LiveConfig;
  overlay: SettingsOverlay;
  targets: SettingsTarget[];
  logger: Logger;
}): LiveSettings {
  const targets = [...o.targets];
  let changing: Promise<unknown> = Promise.resolve();

  const refusal = (e: unknown, changed: string[]): FieldProblem | undefined => {
    if (!(e instanceof DuegateError)) return undefined;
    const where = [e.context.where, e.context.field].find((w): w is string => typeof w === "string") ?? "";
    const field =
      changed.find((k) => where === k || where.startsWith(`${k}.`)) ??
      changed.find((k) => k.split(".")[0] === where.split(".")[0]) ??
      "";
    return { field, message: e.message };
  };

  const update = async (change: Record<string, unknown>, by: string): Promise<ReconfigureResult> => {
    const plan = o.overlay.plan(o.live.current, change);
    if (!plan.ok) return plan;
    const concerned = targets.filter((t) => plan.changed.some((k) => t.reads(k)));
    for (const t of concerned) {
      try {
        t.check?.(plan.config);
      } catch (e) {
        const problem = refusal(e, plan.changed);
        if (!problem) throw e;
        return { ok: false, problems: [problem] };
      }
    }
    await o.overlay.save(plan.overlay);
    o.live.replace(plan.config);
    // Keys that wait for a restart are saved and shown; the services keep what they started with.
    const live = plan.changed.filter((k) => !needsRestart(k));
    for (const t of concerned) {
      const keys = live.filter((k) => t.reads(k));
      if (keys.length > 0) await t.applySettings(plan.config, keys);
    }
    const restartRequired = plan.changed.filter((k) => needsRestart(k));
    o.logger.info({ keys: plan.changed, by, restartRequired }, "settings changed in the web panel");
    return { ok: true, changed: plan.changed, restartRequired };
  };

  return {
    view: () => o.overlay.view(o.live.current),
    update(change, by) {
      // One change at a time: each plans on top of the one before.
      const run = changing.then(() => update(change, by));
      changing = run.catch(() => undefined);
      return run;
    },
    register: (t) => void targets.push(t),
  };
}

/** A target from a typed applySettings call: what most services need. */
export function target(
  name: string,
  reads: (key: string) => boolean,
  applySettings: (next: Config) => void | Promise<void>,
  check?: (next: Config) => void,
): SettingsTarget {
  return { name, reads, applySettings, ...(check ? { check } : {}) };
}

export const invalid = (where: string, message: string): DuegateError =>
  new DuegateError(ErrorCode.ConfigInvalid, message, { where });
