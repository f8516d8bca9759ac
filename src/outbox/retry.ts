import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import type { Config } from "../config/schema.js";

export type FailureKind =
  | { kind: "temporary"; modemLevel: boolean; reason: string; code: string }
  /** The PDU was handed to the modem, then no final answer came: the part may have left. Settled by outbox.inDoubt. */
  | { kind: "in-doubt"; modemLevel: true; reason: string; code: string }
  | { kind: "permanent"; reason: string; code: string };

/** Errors that say nothing about the recipient: the modem or the network is the problem. */
const MODEM_TEMPORARY = new Set<string>([
  ErrorCode.ModemTimeout,
  ErrorCode.ModemUnplugged,
  ErrorCode.ModemNotReady,
  ErrorCode.ModemNoNetwork,
  ErrorCode.ModemClosed,
]);

/**
 * What a failed sendPart means. +CMS ERROR codes are classified by the modem layer
 * (context.temporary, from 3GPP TS 27.005 3.2.5 and TS 24.011 8.2.5.4 cause values);
 * anything not known to be permanent is retried, since retries are bounded. A timeout after
 * the PDU was handed over is "in-doubt": the caller settles it by outbox.inDoubt.
 */
export function classifyFailure(e: unknown): FailureKind {
  if (e instanceof DuegateError) {
    // AT+CMGS timed out (or was cut short at stop) after the PDU went over the line: TS 27.005
    // 3.5.1 gives no way to ask whether it was sent, so this is not a plain temporary failure.
    // Likewise when the port went away at that step (unplugged during AT+CMGS).
    if (
      (e.code === ErrorCode.ModemTimeout || e.code === ErrorCode.ModemUnplugged || e.code === ErrorCode.ModemClosed) &&
      e.context.inDoubt === true
    )
      return { kind: "in-doubt", modemLevel: true, reason: e.message, code: e.code };
    if (MODEM_TEMPORARY.has(e.code)) return { kind: "temporary", modemLevel: true, reason: e.message, code: e.code };
    if (e.code === ErrorCode.ModemCmsError) {
      const reason =
        typeof e.context.reason === "string"
          ? `+CMS ERROR ${String(e.context.cms ?? "")}: ${e.context.reason}`
          : e.message;
      return e.context.temporary === true
        ? { kind: "temporary", modemLevel: false, reason, code: e.code }
        : { kind: "permanent", reason, code: e.code };
    }
    if (e.code === ErrorCode.ModemCmeError || e.code === ErrorCode.ModemError)
      return { kind: "temporary", modemLevel: true, reason: e.message, code: e.code };
    return { kind: "permanent", reason: e.message, code: e.code };
  }
  return { kind: "temporary", modemLevel: true, reason: `unexpected: ${errorMessage(e)}`, code: "unexpected" };
}

/** Delay before attempt n+1 after n temporary failures: base * 2^(n-1), capped, the jitter fraction drawn at random. */
export function backoffMs(failures: number, cfg: Config["outbox"]["retry"], random: () => number): number {
  const exp = Math.min(cfg.maxDelayMs, cfg.baseDelayMs * 2 ** Math.max(0, failures - 1));
  const jitter = cfg.jitter ?? 0.5;
  return Math.round(exp * (1 - jitter) + exp * jitter * random());
}
