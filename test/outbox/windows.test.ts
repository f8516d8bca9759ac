import { describe, it, expect } from "vitest";
import { SendWindows } from "../../src/outbox/windows.js";
import { outboxDefaults } from "./helpers.js";

const iso = (t: number | undefined): string | undefined => (t === undefined ? undefined : new Date(t).toISOString());
const at = (s: string): number => Date.parse(s);

function windows(over: Partial<ReturnType<typeof outboxDefaults>["sendWindow"]> = {}): SendWindows {
  return new SendWindows({ ...outboxDefaults().sendWindow, ...over });
}

describe("send windows", () => {
  it("defaults to 08:00-21:00 local time, end exclusive", () => {
    const w = windows();
    expect(w.isOpen(["Europe/Berlin"], at("2026-01-13T06:59:59Z"))).toBe(false); // 07:59:59 CET
    expect(w.isOpen(["Europe/Berlin"], at("2026-01-13T07:00:00Z"))).toBe(true);
    expect(w.isOpen(["Europe/Berlin"], at("2026-01-13T19:59:00Z"))).toBe(true);
    expect(w.isOpen(["Europe/Berlin"], at("2026-01-13T20:00:00Z"))).toBe(false); // 21:00 CET
  });

  it("Europe/Berlin, spring forward (29 March 2026): the next opening is 08:00 CEST = 06:00Z", () => {
    const w = windows();
    expect(iso(w.nextOpening(["Europe/Berlin"], at("2026-03-28T21:00:00Z")))).toBe("2026-03-29T06:00:00.000Z");
    // The evening before, 21:00 CET is 20:00Z; on the day after, 21:00 CEST is 19:00Z.
    expect(w.isOpen(["Europe/Berlin"], at("2026-03-28T19:30:00Z"))).toBe(true);
    expect(w.isOpen(["Europe/Berlin"], at("2026-03-30T19:30:00Z"))).toBe(false);
  });

  it("Europe/Berlin, fall back (25 October 2026): the next opening is 08:00 CET = 07:00Z", () => {
    const w = windows();
    expect(iso(w.nextOpening(["Europe/Berlin"], at("2026-10-24T20:00:00Z")))).toBe("2026-10-25T07:00:00.000Z");
    expect(w.isOpen(["Europe/Berlin"], at("2026-10-25T06:30:00Z"))).toBe(false); // 07:30 CET
  });

  it("America/New_York across both changes of 2026 (8 March, 1 November)", () => {
    const w = windows();
    expect(iso(w.nextOpening(["America/New_York"], at("2026-03-07T03:00:00Z")))).toBe("2026-03-07T13:00:00.000Z"); // EST
    expect(iso(w.nextOpening(["America/New_York"], at("2026-03-08T02:00:00Z")))).toBe("2026-03-08T12:00:00.000Z"); // EDT
    expect(iso(w.nextOpening(["America/New_York"], at("2026-11-01T02:00:00Z")))).toBe("2026-11-01T13:00:00.000Z"); // EST again
  });

  it("a start time inside the DST gap moves forward to the first valid local time", () => {
    const w = windows({ start: "02:30", end: "21:00" });
    expect(iso(w.nextOpening(["Europe/Berlin"], at("2026-03-28T21:00:00Z")))).toBe("2026-03-29T01:30:00.000Z"); // 03:30 CEST
  });

  it("uses only the hours inside every zone (Berlin and New York)", () => {
    const w = windows();
    const zones = ["Europe/Berlin", "America/New_York"];
    // 10 March: Berlin CET 07:00Z-20:00Z, New York EDT 12:00Z-01:00Z.
    expect(iso(w.nextOpening(zones, at("2026-03-10T09:00:00Z")))).toBe("2026-03-10T12:00:00.000Z");
    expect(w.isOpen(zones, at("2026-03-10T19:59:00Z"))).toBe(true);
    expect(iso(w.nextOpening(zones, at("2026-03-10T20:00:00Z")))).toBe("2026-03-11T12:00:00.000Z");
  });

  it("honours weekdays, configured dates and country holidays", () => {
    const weekdays = windows({ days: [1, 2, 3, 4, 5] });
    expect(iso(weekdays.nextOpening(["Europe/Berlin"], at("2026-03-14T10:00:00Z")))).toBe("2026-03-16T07:00:00.000Z"); // Sat -> Mon
    const dates = windows({ holidays: ["2026-03-10"] });
    expect(iso(dates.nextOpening(["Europe/Berlin"], at("2026-03-10T09:00:00Z")))).toBe("2026-03-11T07:00:00.000Z");
    const de = windows({ holidayRegions: ["DE"] });
    expect(iso(de.nextOpening(["Europe/Berlin"], at("2026-12-25T09:00:00Z")))).toBe("2026-12-27T07:00:00.000Z"); // 25, 26 Dec
  });

  it("says when there is no opening at all", () => {
    expect(windows({ days: [] }).nextOpening(["Europe/Berlin"], at("2026-03-10T09:00:00Z"))).toBeUndefined();
  });
});
