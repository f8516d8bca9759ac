/**
 * Login attempt throttling by user name: after `freeAttempts` failures the name is locked
 * for a delay that doubles with each further failure (capped), so that guessing a password
 * through the panel takes years while a technician with a typo waits seconds. The HTTP
 * rate limit (per address) sits in front of this; this one also holds against many addresses.
 */
import type { Clock } from "../core/clock.js";

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

export interface ThrottleOptions {
  freeAttempts: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
  /** Bound on remembered names, so that a flood of made-up names cannot grow memory. */
  maxEntries: number;
}

export const DEFAULT_THROTTLE: ThrottleOptions = { freeAttempts: 5, baseLockMs: 30_000, maxLockMs: 15 * 60_000, forgetAfterMs: 60 * 60_000, maxEntries: 10_000 };

export class LoginThrottle {
  private readonly failures = new Map<string, Failures>();
  constructor(
    private readonly clock: Clock,
    private readonly opts: ThrottleOptions = DEFAULT_THROTTLE,
  ) {}

  /** Milliseconds until the next attempt for this name is allowed; 0 when allowed now. */
  retryAfter(name: string): number {
    const f = this.current(name);
    return f ? Math.max(0, f.lockedUntil - this.clock.now()) : 0;
  }

  fail(name: string): void {
    const now = this.clock.now();
    const f = this.current(name) ?? { count: 0, lastAt: now, lockedUntil: 0 };
    f.count++;
    f.lastAt = now;
    const over = f.count - this.opts.freeAttempts;
    if (over >= 0) f.lockedUntil = now + Math.min(this.opts.maxLockMs, this.opts.baseLockMs * 2 ** Math.min(over, 20));
    this.failures.delete(name);
    this.failures.set(name, f);
    // Map keeps insertion order: the first key is the longest untouched.
    while (this.failures.size > this.opts.maxEntries) this.failures.delete(this.failures.keys().next().value as string);
  }

  succeed(name: string): void {
    this.failures.delete(name);
  }

  private current(name: string): Failures | undefined {
    const f = this.failures.get(name);
    if (f && this.clock.now() - f.lastAt > this.opts.forgetAfterMs) {
      this.failures.delete(name);
      return undefined;
    }
    return f;
  }
}
