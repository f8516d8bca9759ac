import { pino, type Logger, type LoggerOptions, type DestinationStream } from "pino";
import { maskDeep, maskText, SECRET_KEYS } from "./mask.js";

export type { Logger };

export interface LogOptions {
  level?: string;
  /** Human-readable output (pino-pretty); default: when stdout is a terminal. */
  pretty?: boolean;
  /** Colour codes in pretty output; default: stdout is a terminal and NO_COLOR is unset. */
  colorize?: boolean;
  /** Where lines go; tests pass a stream to read them back. */
  destination?: DestinationStream;
  /** Recent lines are kept here for the web panel's log page. */
  ring?: LogRing;
  /** More key names whose values are never logged (the configuration's secrets), besides SECRET_KEYS. */
  secretKeys?: Iterable<string>;
}

/** The last N log lines, for the panel's Logs page, already masked. */
export class LogRing {
  private lines: Array<Record<string, unknown>> = [];
  constructor(private readonly size = 1000) {}
  push(line: Record<string, unknown>): void {
    this.lines.push(line);
    if (this.lines.length > this.size) this.lines.splice(0, this.lines.length - this.size);
  }
  recent(minLevel = 0, limit = 200): Array<Record<string, unknown>> {
    return this.lines.filter((l) => Number(l.level ?? 0) >= minLevel).slice(-limit);
  }
}

export function createLogger(options: LogOptions = {}): Logger {
  const pretty = options.pretty ?? Boolean(process.stdout.isTTY);
  // https://no-color.org: any non-empty NO_COLOR turns colour off; piped output never gets escape codes.
  const colorize = options.colorize ?? (Boolean(process.stdout.isTTY) && !process.env.NO_COLOR);
  const secrets: ReadonlySet<string> = new Set([...SECRET_KEYS, ...(options.secretKeys ?? [])]);
  const config: LoggerOptions = {
    level: options.level ?? "info",
    formatters: {
      // Every object logged is masked: phone numbers shortened, secrets and money removed.
      log: (obj) => maskDeep(obj, 0, secrets) as Record<string, unknown>,
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === "string" ? maskText(a) : a)) as Parameters<typeof method>;
        method.apply(this, masked);
      },
    },
  };
  const streams: pino.StreamEntry[] = [];
  const dest =
    options.destination ??
    (pretty
      ? (pino.transport({
          target: "pino-pretty",
          options: { colorize, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname" },
        }) as DestinationStream)
      : pino.destination(1));
  streams.push({ stream: dest, level: "trace" });
  if (options.ring) {
    const ring = options.ring;
    streams.push({
      level: "trace",
      stream: {
        write(line: string) {
          try {
            ring.push(JSON.parse(line) as Record<string, unknown>);
          } catch {
            /* a line that is not JSON is not kept */
          }
        },
      },
    });
  }
  return pino(config, pino.multistream(streams));
}

/** A logger that prints nothing (unit tests). */
export function silentLogger(): Logger {
  return pino({ level: "silent" });
}
