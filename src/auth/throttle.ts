/**
 * Login attempt throttling. Failures are counted three ways, each locking for a delay that
 * doubles with every failure past its free attempts (capped), so that guessing a password
 * through the panel takes years while a technician with a typo waits seconds:
 *
 * - per user name and client address: the lock that guessing from one machine meets;
 * - per client address, whatever the name: spraying many names from one machine;
 * - per user name, whatever the address: guessing one name from many machines. This one
 *   applies only to addresses that have themselves failed for that name, so that nobody can
 *   lock the admin out by failing on purpose: a correct password from an address that has
 *   not failed is always let in.
 *
 * The HTTP rate limit (per address, per minute) sits in front of this.
 */
import type { Clock } from "../core/clock.js";

interface Failures {
  count: number;
  lastAt: number;
  lockedUntil: number;
}

export interface ThrottleOptions {
  freeAttempts: number;
  /** Free failures of one address across all names (typos of several people behind one NAT). */
  freeAttemptsPerAddress: number;
  baseLockMs: number;
  maxLockMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
  /** Bound on remembered keys of each kind, so that a flood of made-up names cannot grow memory. */
  maxEntries: number;
  /**
   * Machine logins (the MQTT broker): one count per address only, forgotten at a correct
   * password. Its few logins are systems, not people: a name-wide lock would let one
   * misconfigured client lock the accounting server out from another address.
   */
  perAddressOnly?: boolean;
}

export const DEFAULT_THROTTLE: ThrottleOptions = {
  freeAttempts: 5,
  freeAttemptsPerAddress: 20,
  baseLockMs: 30_000,
  maxLockMs: 15 * 60_000,
  forgetAfterMs: 60 * 60_000,
  maxEntries: 10_000,
};

/** Failures per key with a doubling lock: one of the three counts above. */
class FailureCount {
  private readonly failures = new Map<string, Failures>();
  constructor(
    private readonly clock: Clock,
    private readonly opts: ThrottleOptions,
    private readonly freeAttempts: number,
  ) {}

  retryAfter(key: string): number {
    const f = this.current(key);
    return f ? Math.max(0, f.lockedUntil - this.clock.now()) : 0;
  }

  has(key: string): boolean {
    return this.current(key) !== undefined;
  }

  fail(key: string): void {
    const now = this.clock.now();
    const f = this.current(key) ?? { count: 0, lastAt: now, lockedUntil: 0 };
    f.count++;
    f.lastAt = now;
    const over = f.count - this.freeAttempts;
    if (over >= 0) f.lockedUntil = now + Math.min(this.opts.maxLockMs, this.opts.baseLockMs * 2 ** Math.min(over, 20));
    this.failures.delete(key);
    this.failures.set(key, f);
    // Map keeps insertion order: the first key is the longest untouched.
    while (this.failures.size > this.opts.maxEntries) this.failures.delete(this.failures.keys().next().value as string);
  }

  clear(key: string): void {
    this.failures.delete(key);
  }

  private current(key: string): Failures | undefined {
    const f = this.failures.get(key);
    if (f && this.clock.now() - f.lastAt > this.opts.forgetAfterMs) {
      this.failures.delete(key);
      return undefined;
    }
    return f;
  }
}

export class LoginThrottle {
  private readonly byPair: FailureCount;
  private readonly byAddress: FailureCount;
  private readonly byUser: FailureCount;
  private readonly perAddressOnly: boolean;

  constructor(clock: Clock, opts: ThrottleOptions = DEFAULT_THROTTLE) {
    this.perAddressOnly = opts.perAddressOnly === true;
    this.byPair = new FailureCount(clock, opts, opts.freeAttempts);
    this.byAddress = new FailureCount(clock, opts, opts.freeAttemptsPerAddress);
    this.byUser = new FailureCount(clock, opts, opts.freeAttempts);
  }

  /** Milliseconds until `user` may try again from `address`; 0 when allowed now. */
  retryAfter(user: string, address: string): number {
    const pair = pairKey(user, address);
    const own = Math.max(this.byPair.retryAfter(pair), this.byAddress.retryAfter(address));
    // The name-wide lock only for an address that has failed for this name itself.
    return !this.perAddressOnly && this.byPair.has(pair) ? Math.max(own, this.byUser.retryAfter(user)) : own;
  }

  fail(user: string, address: string): void {
    this.byPair.fail(pairKey(user, address));
    this.byAddress.fail(address);
    this.byUser.fail(user);
  }

  /** A correct password: this address's failures for this name are forgotten (not the address's or the name's). */
  succeed(user: string, address: string): void {
    this.byPair.clear(pairKey(user, address));
    if (this.perAddressOnly) this.byAddress.clear(address);
  }
}

function pairKey(user: string, address: string): string {
  return `${user}\u0000${address}`;
}
