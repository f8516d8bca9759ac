import type { Clock, TimerHandle } from "../../core/clock.js";
import { DuegateError, ErrorCode, errorMessage } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { Transport } from "../transport/transport.js";
import type { AtCommand } from "./command.js";
import type { AtFrame } from "./frames.js";
import { AtParser } from "./parser.js";
import { CME_SIM_LOCKED, cmeReason, cmsError } from "./result-codes.js";
import { parseTwoLine, parseUrc, TWO_LINE_URCS, urcPrefix, type Urc } from "./urc.js";

/** Why a command failed, as data (zwave-js SerialAPICommandMachine failure reasons). */
export type AtFailure = "timeout" | "error" | "cms" | "cme" | "closed" | "parse";

type Step = "awaitingPrompt" | "awaitingFinal";

interface Job {
  cmd: AtCommand<unknown>;
  seq: number;
  resolve(value: unknown): void;
  reject(error: DuegateError): void;
  /** Where the command was created: a timeout points at the caller (zwave-js transactionSource). Formatted only when needed. */
  origin: Error;
}

interface InFlight extends Job {
  step: Step;
  lines: string[];
  timer: TimerHandle;
  startedAt: number;
}

export interface AtChannelOptions {
  clock: Clock;
  logger: Logger;
  /** Quiet gap after which a partial line is flushed (lone ">" prompt, noise). Default 300 ms. */
  flushMs?: number;
  /** After a timeout, input is discarded for this long before the next command. Default 150 ms. */
  resyncMs?: number;
  /** Profile compat flag: the modem sends ">" without the space. */
  promptWithoutSpace?: boolean;
}

/**
 * The AT channel: a priority queue with exactly ONE command in flight,
 * enforced here and nowhere else. The waiter is registered before the write; the timeout
 * comes from the command and is armed on write. Every line the command did not ask for is
 * a URC (its own stream) or noise (logged, skipped), so URCs arriving between or inside
 * responses never corrupt a response.
 */
export class AtChannel {
  private readonly log: Logger;
  private readonly parser: AtParser;
  private readonly queue: Job[] = [];
  private current: InFlight | undefined;
  private transport: Transport | undefined;
  private seq = 0;
  private flushTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  /** A +CDS:/+CMT: header seen; its PDU is the next line. */
  private twoLineHeader: string | undefined;
  private readonly urcListeners: Array<(urc: Urc) => void> = [];
  /** Callers of drained(), woken when nothing is in flight or queued. */
  private readonly drainWaiters: Array<() => void> = [];
  private readonly flushMs: number;
  private readonly resyncMs: number;

  constructor(private readonly opts: AtChannelOptions) {
    this.log = opts.logger.child({ name: "modem.at" });
    this.parser = new AtParser((f) => this.onFrame(f), { bareGreaterIsPrompt: opts.promptWithoutSpace });
    this.flushMs = opts.flushMs ?? 300;
    this.resyncMs = opts.resyncMs ?? 150;
  }

  get attached(): boolean {
    return this.transport !== undefined;
  }

  /** Commands waiting, not counting the one in flight. */
  get queued(): number {
    return this.queue.length;
  }

  get busy(): boolean {
    return this.current !== undefined;
  }

  onUrc(listener: (urc: Urc) => void): void {
    this.urcListeners.push(listener);
  }

  attach(transport: Transport): void {
    this.transport = transport;
    this.parser.reset();
    this.twoLineHeader = undefined;
    transport.onData((chunk) => this.onBytes(chunk));
    this.pump();
  }

  /** The line went away: the command in flight and all queued ones fail with `error`. */
  detach(error: DuegateError): void {
    this.transport = undefined;
    this.flushTimer?.cancel();
    this.resyncTimer?.cancel();
    this.resyncTimer = undefined;
    const cur = this.current;
    // A PDU already handed over when the line went (a USB modem unplugged during AT+CMGS) may
    // have left: the error says so, as a timeout at that step does.
    const inDoubt = cur !== undefined && cur.cmd.body !== undefined && cur.step === "awaitingFinal";
    if (cur)
      this.finish(
        cur,
        inDoubt
          ? new DuegateError(error.code, `${error.message} while ${cur.cmd.name} awaited its answer`, {
              ...error.context,
              inDoubt: true,
            })
          : error,
      );
    for (const job of this.queue.splice(0)) job.reject(error);
    for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Resolves once no command is in flight or queued (orderly stop waits on it, bounded by its grace). */
  drained(): Promise<void> {
    if (!this.current && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /**
   * Ends the command in flight now, as a timeout would (orderly stop after its grace): a PDU
   * input is cancelled with ESC, and the error carries `inDoubt` when the PDU was already
   * handed over, so the outbox records that the part may have left. Queued commands stay
   * queued; detach() fails them.
   */
  abort(reason: string): void {
    const cur = this.current;
    if (!cur) return;
    if (cur.cmd.body !== undefined) this.transport?.write(Buffer.from([0x1b])).catch(() => {});
    const inDoubt = cur.cmd.body !== undefined && cur.step === "awaitingFinal";
    this.finish(
      cur,
      new DuegateError(
        ErrorCode.ModemTimeout,
        `${cur.cmd.name} cut short after ${this.opts.clock.now() - cur.startedAt} ms: ${reason}`,
        { command: cur.cmd.name, failure: "timeout", aborted: true, temporary: true, inDoubt },
      ),
    );
  }

  execute<R>(cmd: AtCommand<R>): Promise<R> {
    if (!this.transport) {
      return Promise.reject(
        new DuegateError(ErrorCode.ModemNotReady, `modem port is not open; ${cmd.name} not sent`, {
          command: cmd.name,
        }),
      );
    }
    return new Promise<R>((resolve, reject) => {
      const job: Job = {
        cmd,
        seq: this.seq++,
        resolve: resolve as (v: unknown) => void,
        reject,
        origin: new Error("origin"),
      };
      // Insert after every job of the same or higher priority: FIFO within a priority.
      let at = this.queue.length;
      while (at > 0 && this.queue[at - 1]!.cmd.priority > cmd.priority) at--;
      this.queue.splice(at, 0, job);
      this.pump();
    });
  }

  private pump(): void {
    if (this.current || this.resyncTimer) return;
    if (this.queue.length === 0) {
      for (const wake of this.drainWaiters.splice(0)) wake();
      return;
    }
    if (!this.transport) return;
    const job = this.queue.shift();
    if (!job) return;
    const transport = this.transport;
    const cur: InFlight = {
      ...job,
      step: job.cmd.body !== undefined ? "awaitingPrompt" : "awaitingFinal",
      lines: [],
      startedAt: this.opts.clock.now(),
      timer: this.opts.clock.setTimer(job.cmd.timeoutMs, () => this.onTimeout(cur)),
    };
    this.current = cur;
    if (this.log.isLevelEnabled("debug"))
      this.log.debug({ tag: job.cmd.name }, `» ${job.cmd.sensitive ? `${job.cmd.name}<redacted>` : job.cmd.text}`);
    transport.write(Buffer.from(`${job.cmd.text}\r`, "latin1")).catch((e: unknown) => {
      if (this.current === cur)
        this.finish(
          cur,
          new DuegateError(ErrorCode.ModemUnplugged, `writing ${cur.cmd.name} failed: ${errorMessage(e)}`, {
            command: cur.cmd.name,
          }),
        );
    });
  }

  private onBytes(chunk: Uint8Array): void {
    this.parser.push(chunk);
    this.flushTimer?.cancel();
    this.flushTimer = this.parser.pending
      ? this.opts.clock.setTimer(this.flushMs, () => this.parser.flush())
      : undefined;
  }

  private onFrame(frame: AtFrame): void {
    const cur = this.current;
    switch (frame.kind) {
      case "line":
        return this.onLine(frame.text, cur);
      case "noise":
        this.log.debug(
          { tag: "NOISE", bytes: frame.text.length },
          `« noise ${JSON.stringify(frame.text.slice(0, 80))}`,
        );
        return;
      case "prompt":
        if (cur?.step === "awaitingPrompt" && this.transport) {
          cur.step = "awaitingFinal";
          this.log.debug({ tag: cur.cmd.name }, `» <body ${cur.cmd.body!.length / 2} bytes>^Z`);
          this.transport.write(Buffer.from(`${cur.cmd.body}\x1a`, "latin1")).catch(() => {});
        } else this.log.debug({ tag: "NOISE" }, "« prompt nobody asked for");
        return;
      default:
        if (!cur) {
          this.log.debug({ tag: "LATE" }, `« ${frameText(frame)} with no command in flight, discarded`);
          return;
        }
        if (this.log.isLevelEnabled("debug")) this.log.debug({ tag: cur.cmd.name }, `« ${frameText(frame)}`);
        return this.onFinal(frame, cur);
    }
  }

  private onLine(text: string, cur: InFlight | undefined): void {
    if (this.twoLineHeader !== undefined) {
      const header = this.twoLineHeader;
      this.twoLineHeader = undefined;
      if (/^[0-9A-Fa-f]+$/.test(text)) return this.emitUrc(parseTwoLine(header, text));
      this.log.warn({ tag: "URC" }, `${header} was not followed by a PDU line`);
    }
    if (cur) {
      if (text === cur.cmd.text || (cur.cmd.body !== undefined && text === cur.cmd.body)) return; // echo
      if (cur.cmd.responsePrefixes.some((p) => text.startsWith(p))) {
        cur.lines.push(text);
        return;
      }
    }
    const prefix = urcPrefix(text);
    if (prefix !== undefined) {
      if ((TWO_LINE_URCS as readonly string[]).includes(prefix)) this.twoLineHeader = text;
      else this.emitUrc(parseUrc(text));
      return;
    }
    if (cur?.cmd.acceptsBareLines && !/^AT/i.test(text)) {
      cur.lines.push(text);
      return;
    }
    this.log.debug({ tag: "NOISE" }, `« unexpected line ${JSON.stringify(text.slice(0, 80))}, skipped`);
  }

  private emitUrc(urc: Urc): void {
    this.log.debug({ tag: "URC", type: urc.type }, "« URC");
    for (const l of this.urcListeners) {
      try {
        l(urc);
      } catch (e) {
        this.log.error({ err: e }, "URC listener threw");
      }
    }
  }

  private onFinal(frame: Exclude<AtFrame, { kind: "line" | "noise" | "prompt" }>, cur: InFlight): void {
    const name = cur.cmd.name;
    if (frame.kind === "final" && frame.ok) {
      let result: unknown;
      try {
        result = cur.cmd.parse(cur.lines);
      } catch (e) {
        const err =
          e instanceof DuegateError
            ? e
            : new DuegateError(ErrorCode.ModemParse, `cannot parse the reply to ${name}: ${errorMessage(e)}`, {
                command: name,
                failure: "parse",
              });
        return this.finish(cur, err);
      }
      return this.finish(cur, undefined, result);
    }
    if (frame.kind === "cms-error") {
      const r = cmsError(frame.code);
      return this.finish(
        cur,
        new DuegateError(ErrorCode.ModemCmsError, `${name} failed: +CMS ERROR ${frame.code} (${r.reason})`, {
          command: name,
          failure: "cms",
          cms: frame.code,
          temporary: r.temporary,
          reason: r.reason,
        }),
      );
    }
    if (frame.kind === "cme-error") {
      const reason = cmeReason(frame.code, frame.text);
      const code =
        frame.code !== undefined && CME_SIM_LOCKED.has(frame.code) ? ErrorCode.ModemSimPin : ErrorCode.ModemCmeError;
      return this.finish(
        cur,
        new DuegateError(code, `${name} failed: +CME ERROR ${frame.code ?? frame.text} (${reason})`, {
          command: name,
          failure: "cme",
          cme: frame.code,
          reason,
          temporary: true,
        }),
      );
    }
    this.finish(
      cur,
      new DuegateError(ErrorCode.ModemError, `${name} answered ${frame.text}`, {
        command: name,
        failure: "error",
        temporary: true,
      }),
    );
  }

  private onTimeout(cur: InFlight): void {
    if (this.current !== cur) return;
    // An unfinished PDU input is cancelled with ESC (TS 27.005 3.5.1), so the modem does not
    // take the next command as part of the message.
    if (cur.cmd.body !== undefined) this.transport?.write(Buffer.from([0x1b])).catch(() => {});
    const err = new DuegateError(
      ErrorCode.ModemTimeout,
      `${cur.cmd.name} got no answer within ${cur.cmd.timeoutMs} ms`,
      {
        command: cur.cmd.name,
        failure: "timeout",
        timeoutMs: cur.cmd.timeoutMs,
        temporary: true,
        inDoubt: cur.cmd.body !== undefined && cur.step === "awaitingFinal",
      },
    );
    const origin = cur.origin.stack;
    if (origin) err.stack = `${err.name}: ${err.message}\n${origin.split("\n").slice(2).join("\n")}`;
    // A late answer must not be taken for the next command's: discard input for a moment.
    this.resyncTimer = this.opts.clock.setTimer(this.resyncMs, () => {
      this.resyncTimer = undefined;
      this.pump();
    });
    this.finish(cur, err);
  }

  private finish(cur: InFlight, error: DuegateError | undefined, result?: unknown): void {
    if (this.current !== cur) return;
    cur.timer.cancel();
    this.current = undefined;
    if (error) cur.reject(error);
    else cur.resolve(result);
    this.pump();
  }
}

function frameText(f: AtFrame): string {
  return "text" in f ? f.text : f.kind;
}
