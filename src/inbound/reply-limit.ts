/**
 * Automatic replies per number and in total per rolling hour, so that nobody (a prankster,
 * an auto-responder looping with us, a spoofed flood from many numbers) drains the SIM's
 * credit (docs/keywords.md). The counts live in the hot file: a restart does not reset them.
 */
const HOUR = 3_600_000;
const ALL = "*";

export class ReplyLimit {
  constructor(
    private readonly times: Record<string, number[]>,
    private readonly perNumber: number,
    private readonly total: number,
  ) {}

  /** Takes one reply from the allowance; false when over either limit (and nothing is taken). */
  take(number: string, now: number): boolean {
    const mine = this.recent(number, now);
    const all = this.recent(ALL, now);
    if (mine.length >= this.perNumber || all.length >= this.total) return false;
    mine.push(now);
    all.push(now);
    this.times[number] = mine;
    this.times[ALL] = all;
    return true;
  }

  /** Drops what is older than an hour; keeps the file small. */
  prune(now: number): void {
    for (const key of Object.keys(this.times)) {
      const kept = this.recent(key, now);
      if (kept.length === 0) delete this.times[key];
      else this.times[key] = kept;
    }
  }

  private recent(key: string, now: number): number[] {
    return (this.times[key] ?? []).filter((t) => now - t < HOUR && t <= now);
  }
}
