/**
 * Which of the pool's device paths exist now, and word when one appears or disappears (USB hot
 * plug). A modem on a hub shows up as a symlink in /dev/serial/by-id (or the name a udev rule
 * gives, /dev/duegate-modem-N): the folder of each watched path is watched with fs.watch, and
 * every path is looked at again on a fixed interval as well, because inotify misses changes in
 * a folder that did not exist when the watch began (/dev/serial/by-id goes away with the last
 * USB serial device) and some file systems report nothing at all. One timer and one watch per
 * folder, however many modems.
 */
import { existsSync, watch, type FSWatcher } from "node:fs";
import { dirname } from "node:path";
import type { Clock, TimerHandle } from "../../core/clock.js";
import { errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";

/** A configured port that names a device file (not the simulator, not tcp://): the only kind that can come and go. */
export function isDevicePath(port: string): boolean {
  return port !== "sim" && !port.startsWith("tcp://") && port.startsWith("/");
}

export interface PortWatchOptions {
  clock: Clock;
  logger: Logger;
  /** Every path is looked at again this often (the fallback when fs.watch says nothing). */
  recheckMs: number;
  /** For tests: whether a path exists. */
  exists?: (path: string) => boolean;
}

export type PortChange = (path: string, present: boolean) => void;

export class PortWatcher {
  private readonly present = new Map<string, boolean>();
  private readonly watchers = new Map<string, FSWatcher>();
  private timer: TimerHandle | undefined;
  private running = false;
  private readonly exists: (path: string) => boolean;
  private readonly listeners: PortChange[] = [];

  constructor(private readonly opts: PortWatchOptions) {
    this.exists = opts.exists ?? existsSync;
  }

  onChange(listener: PortChange): void {
    this.listeners.push(listener);
  }

  /** Whether the path was there at the last look (undefined: not watched). */
  isPresent(path: string): boolean | undefined {
    return this.present.get(path);
  }

  /** Starts watching a path; returns whether it exists now. */
  add(path: string): boolean {
    const now = this.exists(path);
    this.present.set(path, now);
    if (this.running) this.watchFolder(dirname(path));
    return now;
  }

  remove(path: string): void {
    this.present.delete(path);
    const folder = dirname(path);
    if (![...this.present.keys()].some((p) => dirname(p) === folder)) {
      this.watchers.get(folder)?.close();
      this.watchers.delete(folder);
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    for (const p of this.present.keys()) this.watchFolder(dirname(p));
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Looks at every path now; says each change once. */
  check(): void {
    for (const [path, was] of [...this.present]) {
      const now = this.exists(path);
      if (now === was) continue;
      this.present.set(path, now);
      for (const l of this.listeners) {
        try {
          l(path, now);
        } catch (e) {
          this.opts.logger.error({ err: errorMessage(e), port: path }, "port watch: a listener failed");
        }
      }
    }
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimer(this.opts.recheckMs, () => {
      // A folder that did not exist at the last try (no USB serial device yet) is watched once it does.
      for (const p of this.present.keys()) this.watchFolder(dirname(p));
      this.check();
      this.schedule();
    });
  }

  private watchFolder(folder: string): void {
    if (this.watchers.has(folder) || !this.running) return;
    try {
      const w = watch(folder, { persistent: false }, () => this.check());
      w.on("error", () => {
        // The folder itself went away (the last by-id link with it): the interval takes over and watches it again later.
        w.close();
        if (this.watchers.get(folder) === w) this.watchers.delete(folder);
      });
      this.watchers.set(folder, w);
    } catch {
      // Not there (yet) or not watchable: the periodic check covers it.
    }
  }
}
