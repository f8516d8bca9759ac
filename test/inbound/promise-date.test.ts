import { describe, expect, it } from "vitest";
import { parsePromiseDate } from "../../src/inbound/promise-date.js";

// Wednesday 10 June 2026.
const base = { today: "2026-06-10", locale: "en-GB", maxDays: 60 };
const parse = (text: string, over: Partial<typeof base> = {}) => parsePromiseDate(text, { ...base, ...over });

describe("parsePromiseDate", () => {
  it.each([
    ["25/06", "2026-06-25"],
    ["25.06.", "2026-06-25"],
    ["25.06", "2026-06-25"],
    ["25.06.2026", "2026-06-25"],
    ["25.06.26", "2026-06-25"],
    ["25-06-2026", "2026-06-25"],
    ["2026-06-25", "2026-06-25"],
    ["5/7", "2026-07-05"],
    ["june 25", "2026-06-25"],
    ["June 25th", "2026-06-25"],
    ["25 june", "2026-06-25"],
    ["25th of June", "2026-06-25"],
    ["jun 25", "2026-06-25"],
    ["friday", "2026-06-12"],
    ["Friday", "2026-06-12"],
    ["next friday", "2026-06-19"],
    ["on monday", "2026-06-15"],
    ["tomorrow", "2026-06-11"],
    ["today", "2026-06-10"],
    ["25.06. thanks!", "2026-06-25"],
  ])("en-GB: %j → %s", (text, date) => {
    expect(parse(text)).toEqual({ ok: true, date });
  });

  it.each([
    ["Freitag", "2026-06-12"],
    ["am 25. Juni", "2026-06-25"],
    ["morgen", "2026-06-11"],
    ["25.06.", "2026-06-25"],
    ["nächsten Freitag", "2026-06-19"],
  ])("de-DE: %j → %s", (text, date) => {
    expect(parse(text, { locale: "de-DE" })).toEqual({ ok: true, date });
  });

  it("reads other languages whatever the account's locale", () => {
    expect(parse("vendredi", { locale: "en-GB" })).toEqual({ ok: true, date: "2026-06-12" });
    expect(parse("25 juin", { locale: "fr-FR" })).toEqual({ ok: true, date: "2026-06-25" });
  });

  it("reads month first only for US English", () => {
    expect(parse("06/25", { locale: "en-US" })).toEqual({ ok: true, date: "2026-06-25" });
    expect(parse("07/05", { locale: "en-US" })).toEqual({ ok: true, date: "2026-07-05" });
    // 7 May has passed this year, so it means next May: too far ahead.
    expect(parse("07/05", { locale: "de-DE" })).toEqual({ ok: false, reason: "too-far", date: "2027-05-07" });
  });

  it("takes a date without year as the next one to come", () => {
    expect(parse("05.01.", { today: "2026-12-20" })).toEqual({ ok: true, date: "2027-01-05" });
  });

  it("refuses a date in the past", () => {
    expect(parse("01.06.2026")).toEqual({ ok: false, reason: "past", date: "2026-06-01" });
    expect(parse("2025-06-25")).toEqual({ ok: false, reason: "past", date: "2025-06-25" });
  });

  it("refuses a date too far ahead", () => {
    expect(parse("25.12.2026")).toEqual({ ok: false, reason: "too-far", date: "2026-12-25" });
    expect(parse("2026-08-09")).toEqual({ ok: true, date: "2026-08-09" }); // exactly 60 days
    expect(parse("2026-08-10")).toEqual({ ok: false, reason: "too-far", date: "2026-08-10" });
  });

  it("says unreadable for no date, an impossible one, or nothing at all", () => {
    expect(parse("")).toEqual({ ok: false, reason: "unreadable" });
    expect(parse("soon, I promise")).toEqual({ ok: false, reason: "unreadable" });
    expect(parse("31/02")).toEqual({ ok: false, reason: "unreadable" });
    expect(parse("2026-13-01")).toEqual({ ok: false, reason: "unreadable" });
  });
});
