import type { Logger } from "../core/log.js";

/**
 * Orderly shutdown: the first SIGINT/SIGTERM stops taking work, lets the command in flight
 * finish or time out and flushes storage; a second one, or a stop that hangs, exits at once
 * (everything acknowledged is already on disk, so a forced exit loses nothing accepted).
 */
export function installSignalHandlers(opts: {
  stop: () => Promise<void>;
  reload?: () => Promise<void>;
  logger: Logger;
  hardStopMs?: number;
  /** Called once everything has stopped, just before exiting (the demo prints its one closing line). */
  onStopped?: () => void;
  /** A second signal this soon after the first is the same keypress, not a request to exit now. */
  repeatWithinMs?: number;
}): void {
  let stopping = false;
  let firstAt = 0;
  const onStop = (signal: string) => {
    // One Ctrl-C reaches the process more than once: from the terminal (the whole process group)
    // and relayed by the parent (npm run). Repeats within a second are that one keypress.
    if (stopping && Date.now() - firstAt < (opts.repeatWithinMs ?? 1_000)) return;
    if (stopping) {
      opts.logger.warn({ signal }, "second signal: exiting now");
      process.exit(130);
    }
    stopping = true;
    firstAt = Date.now();
    opts.logger.info({ signal }, "stopping: no new work, finishing the command in flight, flushing storage");
    const hard = setTimeout(() => {
      opts.logger.error("stop took too long; exiting");
      process.exit(1);
    }, opts.hardStopMs ?? 20_000);
    // Not unref'd: it also keeps the process alive while stop() waits on unref'd timers (the
    // clock's), which would otherwise let Node exit mid-stop, before the flush and the last line.
    opts
      .stop()
      .then(() => {
        clearTimeout(hard);
        opts.logger.info("stopped");
        opts.onStopped?.();
        process.exit(0);
      })
      .catch((e: unknown) => {
        opts.logger.error({ err: e }, "error while stopping");
        process.exit(1);
      });
  };
  process.on("SIGINT", () => onStop("SIGINT"));
  process.on("SIGTERM", () => onStop("SIGTERM"));
  if (opts.reload) {
    const reload = opts.reload;
    process.on("SIGHUP", () => {
      opts.logger.info("SIGHUP: reloading policy and templates");
      reload().catch((e: unknown) =>
        opts.logger.error({ err: e }, "reload failed; the previous policy stays in force"),
      );
    });
  }
}
