import { DateTime } from "luxon";
import Holidays from "date-holidays";
import type { Config } from "../config/schema.js";
import type { Millis } from "../core/types.js";
import type { Logger } from "../core/log.js";

type WindowConfig = Config["outbox"]["sendWindow"];

/** Days searched ahead for an opening (a year of holidays and weekday rules). */
const HORIZON_DAYS = 400;

/**
 * Quiet hours. A message may go out when the window is open in every one of its time zones
 * (account address and number may differ: only the hours inside both). Times are local wall
 * clock in each zone, computed with luxon, so a DST change moves the instant and not the
 * local hour: 08:00 Berlin is 07:00Z in winter and 06:00Z in summer.
 */
export class SendWindows {
  private readonly startMin: number;
  private readonly endMin: number;
  private readonly days: Set<number>;
  private readonly holidays: Set<string>;
  private readonly regionHolidays: Array<{ region: string; hd: Holidays; years: Map<number, Set<string>> }> = [];

  constructor(
    private readonly cfg: WindowConfig,
    logger?: Logger,
  ) {
    this.startMin = toMinutes(cfg.start);
    this.endMin = toMinutes(cfg.end);
    this.days = new Set(cfg.days);
    this.holidays = new Set(cfg.holidays);
    for (const region of cfg.holidayRegions ?? []) {
      const [country, state] = region.split("-");
      const hd = state ? new Holidays(country!, state) : new Holidays(country!);
      if (!hd.getCountries()[country!]) {
        logger?.error({ region }, "outbox: unknown holiday region in outbox.sendWindow.holidayRegions; ignored");
        continue;
      }
      this.regionHolidays.push({ region, hd, years: new Map() });
    }
  }

  /** Whether replies skip the window (config appliesToReplies false). */
  get repliesExempt(): boolean {
    return !this.cfg.appliesToReplies;
  }

  isOpen(zones: readonly string[], at: Millis): boolean {
    return zones.every((z) => this.openIn(z, at));
  }

  /**
   * The first instant >= at when the window is open in all zones; undefined if there is
   * none within the horizon (a configuration with no allowed day).
   */
  nextOpening(zones: readonly string[], at: Millis): Millis | undefined {
    let t = at;
    const limit = at + HORIZON_DAYS * 86_400_000;
    for (let i = 0; i < 64 && t <= limit; i++) {
      let latest = t;
      for (const z of zones) {
        const n = this.nextOpenIn(z, t);
        if (n === undefined) return undefined;
        latest = Math.max(latest, n);
      }
      if (latest === t) return t;
      t = latest;
    }
    return undefined;
  }

  /** When the window next closes in any of the zones, from an open instant. */
  closesAt(zones: readonly string[], at: Millis): Millis {
    return Math.min(...zones.map((z) => this.localDay(z, at).plus({ minutes: this.endMin }).toMillis()));
  }

  private openIn(zone: string, at: Millis): boolean {
    const dt = DateTime.fromMillis(at, { zone });
    if (!this.dayAllowed(dt)) return false;
    const m = dt.hour * 60 + dt.minute;
    return m >= this.startMin && m < this.endMin;
  }

  private nextOpenIn(zone: string, at: Millis): Millis | undefined {
    if (this.openIn(zone, at)) return at;
    const day0 = this.localDay(zone, at);
    for (let d = 0; d <= HORIZON_DAYS; d++) {
      const day = day0.plus({ days: d });
      if (!this.dayAllowed(day)) continue;
      // set() keeps the wall clock; in a DST gap luxon moves forward, which is what we want.
      const open = day.set({ hour: Math.floor(this.startMin / 60), minute: this.startMin % 60 }).toMillis();
      const close = day.set({ hour: Math.floor(this.endMin / 60), minute: this.endMin % 60 }).toMillis();
      if (close <= at) continue;
      return Math.max(open, at);
    }
    return undefined;
  }

  private localDay(zone: string, at: Millis): DateTime {
    return DateTime.fromMillis(at, { zone }).startOf("day");
  }

  private dayAllowed(dt: DateTime): boolean {
    if (!this.days.has(dt.weekday)) return false;
    const date = dt.toISODate() ?? "";
    if (this.holidays.has(date)) return false;
    for (const r of this.regionHolidays) if (this.regionDates(r, dt.year).has(date)) return false;
    return true;
  }

  private regionDates(r: { hd: Holidays; years: Map<number, Set<string>> }, year: number): Set<string> {
    let set = r.years.get(year);
    if (!set) {
      set = new Set(
        r.hd
          .getHolidays(year)
          .filter((h) => h.type === "public")
          .map((h) => h.date.slice(0, 10)),
      );
      r.years.set(year, set);
    }
    return set;
  }
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}
