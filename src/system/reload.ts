/**
 * SIGHUP reloads what can change without a restart: the dunning policy and templates
 * (DunningEngine.reloadPolicy(), wired by src/app.ts). `systemctl reload duegate` sends the
 * signal (ExecReload in systemd/duegate.service).
 *
 * Reloads never overlap: a SIGHUP during a reload schedules exactly one more after it, so
 * the last edit is always picked up and a burst of signals costs two reloads, not ten.
 * A failed reload is logged and leaves the previous policy in force; it never stops the service.
 */
import type { EventEmitter } from "node:events";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import type { Notifier } from "./sd-notify.js";

export interface ReloadOptions {
  logger: Logger;
  /** RELOADING=1 while it runs, READY=1 after, so `systemctl status` shows it. */
  notifier?: Pick<Notifier, "reloading" | "ready">;
  /** Where the signal comes from; tests pass an EventEmitter. Default: process. */
  signals?: Pick<EventEmitter, "on" | "off">;
  /** false: do not listen for SIGHUP (the caller calls trigger() from its own handler). */
  listen?: boolean;
}

export interface ReloadHandle {
  /** Reload now (as if SIGHUP arrived); resolves when this request has been served. */
  trigger(): Promise<void>;
  /** Stop listening for SIGHUP. */
  dispose(): void;
}

export function onReload(fn: () => void | Promise<void>, opts: ReloadOptions): ReloadHandle {
  const signals = opts.signals ?? process;
  let running: Promise<void> | undefined;
  let again: Promise<void> | undefined;

  const runOnce = async (): Promise<void> => {
    const started = Date.now();
    await opts.notifier?.reloading();
    try {
      await fn();
      opts.logger.info({ ms: Date.now() - started }, "reload: policy and templates reloaded");
      await opts.notifier?.ready("reloaded");
    } catch (e) {
      opts.logger.error({ err: errorMessage(e) }, "reload failed; the previous policy and templates stay in force");
      await opts.notifier?.ready(`reload failed: ${errorMessage(e)}`);
    }
  };

  const trigger = (): Promise<void> => {
    if (!running) {
      running = runOnce().finally(() => {
        running = undefined;
      });
      return running;
    }
    // One follow-up serves every request that arrived during the current reload.
    again ??= running.then(() => {
      again = undefined;
      return trigger();
    });
    return again;
  };

  const onSignal = (): void => {
    opts.logger.info("SIGHUP: reloading policy and templates");
    void trigger();
  };
  const listen = opts.listen ?? true;
  if (listen) signals.on("SIGHUP", onSignal);
  return {
    trigger,
    dispose: () => {
      if (listen) signals.off("SIGHUP", onSignal);
    },
  };
}
