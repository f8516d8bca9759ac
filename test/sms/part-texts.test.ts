import { describe, expect, it } from "vitest";
import { analyzeText, measureText } from "../../src/sms/index.js";

/** The part texts the one codec seam (src/sms/send-text.ts) cuts, with the default codec settings. */
const partTexts = (text: string): string[] => measureText(text, undefined).partTexts;

describe("measureText partTexts", () => {
  it("keeps one part whole", () => {
    expect(partTexts("Hello Maria, your invoice is due.")).toEqual(["Hello Maria, your invoice is due."]);
  });

  it("breaks GSM-7 text at 153 septets a part, counting an extension character as two", () => {
    const text = `${"a".repeat(150)}€€${"b".repeat(20)}`;
    const parts = partTexts(text);
    expect(parts).toHaveLength(analyzeText(text).parts);
    // 150 + one € (2 septets) = 152; the second € would make 154 > 153, so it opens part 2
    expect(parts[0]).toBe(`${"a".repeat(150)}€`);
    expect(parts.join("")).toBe(text);
  });

  it("breaks UCS-2 text at 67 units a part and never splits a surrogate pair", () => {
    const text = `${"ж".repeat(66)}😀${"ж".repeat(10)}`;
    const parts = partTexts(text);
    expect(parts).toHaveLength(2);
    expect(parts[0]).toBe("ж".repeat(66));
    expect(parts[1]!.startsWith("😀")).toBe(true);
    expect(parts.join("")).toBe(text);
  });
});
