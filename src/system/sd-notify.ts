/**
 * sd_notify(3) for a Type=notify unit: READY=1 once the stores are open and the modem is
 * initialised, WATCHDOG=1 while the service is healthy, STOPPING=1 on shutdown, STATUS=
 * for `systemctl status`.
 *
 * Node has no AF_UNIX datagram sockets, so the datagram is sent by `systemd-notify`, which
 * ships with systemd wherever NOTIFY_SOCKET is set. Why this and not a native module, and
 * why the unit needs NotifyAccess=all: docs/decisions/0001-sd-notify.md.
 */
import { execFile } from "node:child_process";
import { systemClock, type Clock, type TimerHandle } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { Logger } from "../core/log.js";

/** Delivers a list of `KEY=VALUE` assignments to the service manager as one datagram. */
export type NotifySender = (assignments: string[], env: NodeJS.ProcessEnv) => Promise<void>;

export interface Notifier {
  /** False outside systemd (no NOTIFY_SOCKET): every method resolves at once and sends nothing. */
  readonly enabled: boolean;
  /** Half of WATCHDOG_USEC in ms, when systemd asked for watchdog pings for this process. */
  readonly watchdogIntervalMs: number | undefined;
  ready(status?: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(status?: string): Promise<void>;
  /** SIGHUP reload begins; systemd shows "reloading" until the next ready(). */
  reloading(): Promise<void>;
  status(text: string): Promise<void>;
}

export interface NotifierOptions {
  sender?: NotifySender;
  logger?: Logger;
  /** The pid systemd expects watchdog pings from (WATCHDOG_PID); default process.pid. */
  pid?: number;
}

const SEND_TIMEOUT_MS = 10_000;

/**
 * `systemd-notify` without --no-block waits on a BARRIER=1 until the manager has read the
 * message, so the sender is still alive when systemd looks up its cgroup (the PID race).
 * No --pid: an unprivileged process cannot forge SCM_CREDENTIALS, so it would not help.
 */
export function systemdNotifySender(binary = "systemd-notify"): NotifySender {
  return (assignments, env) =>
    new Promise((resolve, reject) => {
      execFile(binary, assignments, { env, timeout: SEND_TIMEOUT_MS, windowsHide: true }, (err, _stdout, stderr) => {
        if (err)
          reject(
            new Error(
              `${binary} ${assignments.join(" ")} failed: ${errorMessage(err)}${stderr ? ` (${String(stderr).trim()})` : ""}`,
            ),
          );
        else resolve();
      });
    });
}

/** STATUS= is one line; systemctl status shows it verbatim, so keep it short and flat. */
function statusLine(text: string): string {
  // Control characters would end the assignment; turn them into spaces, then collapse.
  let flat = "";
  for (const ch of text) flat += ch.charCodeAt(0) < 0x20 || ch === "\u007f" ? " " : ch;
  return flat.replace(/\s+/g, " ").trim().slice(0, 200);
}

export function watchdogIntervalFromEnv(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return undefined;
  // WATCHDOG_PID names the process systemd watches; a child that inherited the
  // environment must not ping on the parent's behalf (sd_watchdog_enabled(3)).
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 1000 / 2));
}

export function createNotifier(env: NodeJS.ProcessEnv = process.env, opts: NotifierOptions = {}): Notifier {
  const socket = env.NOTIFY_SOCKET;
  const enabled = typeof socket === "string" && socket.length > 0;
  const watchdogIntervalMs = enabled ? watchdogIntervalFromEnv(env, opts.pid ?? process.pid) : undefined;
  const sender = opts.sender ?? systemdNotifySender();
  // Only what systemd-notify needs: the socket and PATH to find the binary.
  const childEnv: NodeJS.ProcessEnv = { NOTIFY_SOCKET: socket, PATH: env.PATH ?? "/usr/bin:/bin" };
  let warned = false;

  const send = async (assignments: string[]): Promise<void> => {
    if (!enabled) return;
    try {
      await sender(assignments, childEnv);
    } catch (e) {
      // A lost notification must not stop the service; systemd's own timeouts catch a
      // READY or watchdog that never arrives. Log the first failure loudly, the rest quietly.
      if (!warned) opts.logger?.warn({ err: errorMessage(e) }, "sd_notify: could not notify systemd");
      else opts.logger?.debug({ err: errorMessage(e) }, "sd_notify: could not notify systemd");
      warned = true;
    }
  };

  return {
    enabled,
    watchdogIntervalMs,
    ready: (status) => send(status ? ["READY=1", `STATUS=${statusLine(status)}`] : ["READY=1"]),
    watchdog: () => send(["WATCHDOG=1"]),
    stopping: (status) => send(status ? ["STOPPING=1", `STATUS=${statusLine(status)}`] : ["STOPPING=1"]),
    reloading: () => send(["RELOADING=1"]),
    status: (text) => send([`STATUS=${statusLine(text)}`]),
  };
}

export interface WatchdogOptions {
  notifier: Notifier;
  /**
   * Is the service doing its job? The composition root passes a predicate tied to the loop that drives
   * the AT channel, so a hung channel stops the pings. It must NOT be
   * "the modem is plugged in": a missing modem is recovered in-process, and a restart loop
   * would not bring it back. A predicate that throws or takes longer than one interval
   * counts as unhealthy.
   */
  healthy: () => boolean | Promise<boolean>;
  logger: Logger;
  clock?: Clock;
  /** Default: notifier.watchdogIntervalMs. */
  intervalMs?: number;
}

export interface Watchdog {
  readonly running: boolean;
  stop(): void;
}

/** Pings WATCHDOG=1 every interval while healthy() holds; withholds the ping otherwise. */
export function startWatchdog(opts: WatchdogOptions): Watchdog {
  const intervalMs = opts.intervalMs ?? opts.notifier.watchdogIntervalMs;
  if (!opts.notifier.enabled || intervalMs === undefined) return { running: false, stop: () => {} };
  const clock = opts.clock ?? systemClock;
  let timer: TimerHandle | undefined;
  let stopped = false;
  let inFlight = false;
  let lastHealthy = true;
  let expectedAt = clock.now() + intervalMs;

  const check = async (): Promise<boolean> => {
    let handle: TimerHandle | undefined;
    try {
      const deadline = new Promise<boolean>((resolve) => {
        handle = clock.setTimer(intervalMs, () => resolve(false));
      });
      return await Promise.race([Promise.resolve(opts.healthy()), deadline]);
    } catch (e) {
      opts.logger.warn({ err: errorMessage(e) }, "watchdog: health check threw");
      return false;
    } finally {
      handle?.cancel();
    }
  };

  const tick = async (): Promise<void> => {
    const lateMs = clock.now() - expectedAt;
    // The timer itself is proof that the event loop turns; a late one says it was blocked.
    if (lateMs > intervalMs / 2) opts.logger.warn({ lateMs }, "watchdog: the event loop was blocked");
    if (inFlight) return; // the previous ping is still waiting for systemd: do not pile up
    inFlight = true;
    try {
      const ok = await check();
      if (stopped) return;
      if (ok !== lastHealthy) {
        if (ok) opts.logger.info("watchdog: healthy again; pinging systemd");
        else
          opts.logger.error(
            { intervalMs },
            "watchdog: unhealthy; withholding WATCHDOG=1, systemd restarts the service after WatchdogSec",
          );
        lastHealthy = ok;
      }
      if (ok) await opts.notifier.watchdog();
    } finally {
      inFlight = false;
    }
  };

  const schedule = (): void => {
    if (stopped) return;
    expectedAt = clock.now() + intervalMs;
    timer = clock.setTimer(intervalMs, () => {
      void tick().finally(schedule);
    });
  };

  // Ping once at start so a long initialisation after READY does not eat into the budget.
  void tick().finally(schedule);
  return {
    get running() {
      return !stopped;
    },
    stop() {
      stopped = true;
      timer?.cancel();
    },
  };
}
