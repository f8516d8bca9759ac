import { describe, expect, it } from "vitest";
import { boundMessage, excerpt, MESSAGE_MAX_CHARS } from "../../src/core/excerpt.js";

describe("excerpt of quoted input", () => {
  it("keeps a short value and cuts a long one to 80 characters with the count of the rest", () => {
    expect(excerpt("12.50")).toBe("12.50");
    expect(excerpt("x".repeat(80))).toBe("x".repeat(80));
    expect(excerpt("y".repeat(4_900_000))).toBe(`${"y".repeat(80)}… (4899920 more)`);
  });

  it("never cuts a character in half", () => {
    const text = "a".repeat(79) + "😀" + "b".repeat(100);
    const cut = excerpt(text);
    expect(cut.startsWith("a".repeat(79) + "…")).toBe(true);
    expect(cut).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it("shortens every long quoted run of a message and bounds the whole", () => {
    const msg = `the CSV cannot be read at line 2: Invalid Closing Quote: value is "${"v".repeat(500_000)}"`;
    const bounded = boundMessage(msg);
    expect(bounded).toBe(
      `the CSV cannot be read at line 2: Invalid Closing Quote: value is "${"v".repeat(80)}… (499920 more)"`,
    );
    expect(boundMessage("z".repeat(5000)).length).toBeLessThan(MESSAGE_MAX_CHARS + 20);
    expect(boundMessage('dueDate must be a date, got "2026-13-01"')).toBe('dueDate must be a date, got "2026-13-01"');
  });
});
