/**
 * Whether a SIM stays in the rotation of the pool. A failure that speaks of the SIM or its
 * network rather than of the recipient (3GPP TS 24.011 Annex E-2 causes such as 8 operator
 * determined barring, 50 requested facility not subscribed; 38 network out of order, 42
 * congestion, 500 unknown error when they repeat; TS 27.005 3.2.5 SIM errors 310-318) takes
 * the SIM out with that reason; it is tried again after a backoff that doubles while it keeps
 * failing, and stays in once a part goes through.
 */
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Millis } from "../core/types.js";

/** The SIM cannot send at all (barred, no SMS service, no SMSC subscription): out at the first one. */
const SIM_BLOCKED = new Set([8, 10, 50, 69, 193]);
/** The SIM's network or the modem says "not now": out when they follow each other. */
const SIM_TROUBLE = new Set([
  38, 41, 42, 47, 300, 301, 302, 310, 311, 312, 313, 314, 315, 316, 317, 318, 320, 330, 331, 332, 500,
]);

export interface RotationSettings {
  /** Consecutive SIM-level failures that take a SIM out. */
  outAfter: number;
  /** First wait before a SIM out of rotation is tried again; doubles per further failure. */
  retryBaseMs: number;
  retryMaxMs: number;
}

/** What a failed send says about the SIM that made it. */
export type SimVerdict = { simLevel: false } | { simLevel: true; blocking: boolean; reason: string };

export function simVerdict(e: unknown): SimVerdict {
  if (!(e instanceof DuegateError) || e.code !== ErrorCode.ModemCmsError) return { simLevel: false };
  const cms = typeof e.context.cms === "number" ? e.context.cms : Number(e.context.cms);
  const reason = `+CMS ERROR ${cms}${typeof e.context.reason === "string" ? `: ${e.context.reason}` : ""}`;
  if (SIM_BLOCKED.has(cms)) return { simLevel: true, blocking: true, reason };
  if (SIM_TROUBLE.has(cms) || cms >= 512) return { simLevel: true, blocking: false, reason };
  return { simLevel: false };
}

export type RotationChange =
  { kind: "out"; reason: string; retryAt: Millis } | { kind: "back"; reason: string } | undefined;

export class SimRotation {
  private consecutive = 0;
  /** Times taken out in a row without a part going through since (sets the backoff). */
  private strikes = 0;
  private outSince: Millis | undefined;
  private retryAt: Millis = 0;
  reason: string | undefined;

  constructor(private readonly settings: () => RotationSettings) {}

  /** In the rotation at `now` (a SIM whose backoff ended is in again, on probation). */
  inRotation(now: Millis): boolean {
    return this.outSince === undefined || now >= this.retryAt;
  }

  /** Out of rotation and not yet due for another try: the instant it is. */
  outUntil(now: Millis): Millis | undefined {
    return this.outSince !== undefined && now < this.retryAt ? this.retryAt : undefined;
  }

  /** A part went through. */
  success(): RotationChange {
    this.consecutive = 0;
    if (this.outSince === undefined) return undefined;
    this.outSince = undefined;
    this.strikes = 0;
    const was = this.reason;
    this.reason = undefined;
    return { kind: "back", reason: `a part went through again (was out: ${was ?? "unknown"})` };
  }

  /** A send failed; returns the change if this takes the SIM out. */
  failure(v: SimVerdict, now: Millis): RotationChange {
    if (!v.simLevel) {
      this.consecutive = 0;
      return undefined;
    }
    this.consecutive++;
    const s = this.settings();
    const probation = this.outSince !== undefined;
    if (!v.blocking && !probation && this.consecutive < s.outAfter) return undefined;
    this.strikes++;
    this.outSince ??= now;
    this.retryAt = now + Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** (this.strikes - 1));
    this.reason = v.blocking ? v.reason : `${this.consecutive} SIM-level failures in a row, the last ${v.reason}`;
    return { kind: "out", reason: this.reason, retryAt: this.retryAt };
  }

  /** Taken out for a reason found outside a send (no prepaid credit). */
  takeOut(reason: string, now: Millis): RotationChange {
    this.strikes++;
    this.outSince ??= now;
    const s = this.settings();
    this.retryAt = now + Math.min(s.retryMaxMs, s.retryBaseMs * 2 ** (this.strikes - 1));
    this.reason = reason;
    return { kind: "out", reason, retryAt: this.retryAt };
  }
}
