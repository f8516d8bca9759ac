import { describe, expect, it } from "vitest";
import { DateTime } from "luxon";
import {
  addDays,
  dateBounds,
  dayNumber,
  daysBetween,
  fromDayNumber,
  instantOf,
  isLocalDate,
  isTimeZone,
  lastDays,
  localDate,
  localNow,
  startOfDate,
} from "../../src/core/calendar.js";

const at = (iso: string) => Date.parse(iso);

describe("the calendar", () => {
  it("knows which YYYY-MM-DD strings are days that exist", () => {
    expect(["2024-02-29", "2026-12-31", "2000-02-29"].every(isLocalDate)).toBe(true);
    expect(
      ["2026-02-29", "1900-02-29", "2026-02-30", "2026-13-01", "2026-00-10", "2026-1-5", "26-01-05", 20260105].some(
        isLocalDate,
      ),
    ).toBe(false);
  });

  it("adds days across month, year and leap-day boundaries, as luxon does", () => {
    expect(addDays("2024-02-28", 1)).toBe("2024-02-29");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    for (let d = dayNumber("1999-12-25"); d < dayNumber("2001-01-10"); d += 7) {
      const date = fromDayNumber(d);
      expect(addDays(date, 45)).toBe(DateTime.fromISO(date, { zone: "UTC" }).plus({ days: 45 }).toISODate());
    }
    expect(daysBetween("2026-01-31", "2026-03-01")).toBe(29);
  });

  it("gives the local date of an instant in a zone, and reads an unknown zone as UTC", () => {
    const t = at("2026-03-10T23:30:00Z");
    expect(localDate(t, "Europe/Berlin")).toBe("2026-03-11");
    expect(localDate(t, "America/New_York")).toBe("2026-03-10");
    expect(localDate(t, "Mars/Olympus")).toBe("2026-03-10");
    expect(localDate(t, undefined)).toBe("2026-03-10");
    expect(localNow(t, "Asia/Kolkata")).toMatchObject({ date: "2026-03-11", minute: 5 * 60 });
  });

  it("finds the instant of a local time across DST: 23 and 25 hour days, a time in the gap moves forward", () => {
    // Europe/Berlin: 2026-03-29 02:00 -> 03:00, 2026-10-25 03:00 -> 02:00.
    expect(dateBounds("2026-03-29", "Europe/Berlin")).toEqual({
      start: at("2026-03-28T23:00:00Z"),
      end: at("2026-03-29T22:00:00Z") - 1,
    });
    expect(dateBounds("2026-10-25", "Europe/Berlin")).toEqual({
      start: at("2026-10-24T22:00:00Z"),
      end: at("2026-10-25T23:00:00Z") - 1,
    });
    expect(instantOf("2026-03-29", 150, "Europe/Berlin")).toBe(at("2026-03-29T01:30:00Z"));
    // 02:30 happens twice on the autumn change: the first time (summer time) counts.
    expect(instantOf("2026-10-25", 150, "Europe/Berlin")).toBe(at("2026-10-25T00:30:00Z"));
    expect(instantOf("2026-11-01", 90, "America/New_York")).toBe(at("2026-11-01T05:30:00Z"));
    // Every other quarter hour of those days is where luxon puts it.
    for (const [date, zone] of [
      ["2026-03-29", "Europe/Berlin"],
      ["2026-03-08", "America/New_York"],
      ["2026-04-05", "Australia/Sydney"],
    ] as const)
      for (let minute = 0; minute < 1440; minute += 15) {
        const l = DateTime.fromISO(date, { zone }).set({ hour: Math.floor(minute / 60), minute: minute % 60 });
        if (l.hour * 60 + l.minute === minute)
          expect(instantOf(date, minute, zone), `${date} ${minute} ${zone}`).toBe(l.toMillis());
      }
    // America/Santiago skips midnight (2026-09-06 00:00 -> 01:00): the day starts at 01:00 local.
    expect(startOfDate("2026-09-06", "America/Santiago")).toBe(
      DateTime.fromISO("2026-09-06", { zone: "America/Santiago" }).startOf("day").toMillis(),
    );
  });

  it("lists the last n dates in a zone, oldest first", () => {
    expect(lastDays(at("2026-03-29T22:30:00Z"), 3, "Europe/Berlin")).toEqual([
      "2026-03-28",
      "2026-03-29",
      "2026-03-30",
    ]);
    expect(lastDays(at("2026-03-29T22:30:00Z"), 1, "UTC")).toEqual(["2026-03-29"]);
  });

  it("checks zones against Intl", () => {
    expect(isTimeZone("Europe/Berlin")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("Europe/Atlantis")).toBe(false);
    expect(isTimeZone("+01:00 or so")).toBe(false);
  });
});
