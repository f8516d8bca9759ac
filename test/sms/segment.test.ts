import { describe, expect, it } from "vitest";
import { analyzeText, decodePdu, encodeSubmit } from "../../src/sms/index.js";

const to = "+491701234567";

describe("part sizes (TS 23.040 9.2.3.24, TS 23.038 6.1.2.1)", () => {
  it.each([
    [160, 1],
    [161, 2],
    [306, 2],
    [307, 3],
    [459, 3],
    [460, 4],
  ])("GSM-7: %i septets take %i part(s)", (n, parts) => {
    expect(analyzeText("x".repeat(n))).toMatchObject({ encoding: "gsm7", parts, units: n });
  });

  it.each([
    [70, 1],
    [71, 2],
    [134, 2],
    [135, 3],
  ])("UCS-2: %i units take %i part(s)", (n, parts) => {
    expect(analyzeText("Ж".repeat(n))).toMatchObject({ encoding: "ucs2", parts, units: n });
  });

  it.each([
    [140, 1],
    [141, 2],
    [268, 2],
    [269, 3],
  ])("8-bit: %i octets take %i part(s)", (n, parts) => {
    expect(analyzeText("x".repeat(n), { encoding: "8bit" })).toMatchObject({ encoding: "8bit", parts, units: n });
  });

  it("counts an extension character as two septets", () => {
    expect(analyzeText("€".repeat(80))).toMatchObject({ parts: 1, units: 160, remainingInPart: 0 });
    expect(analyzeText("€".repeat(80) + "a")).toMatchObject({ parts: 2, units: 161 });
  });

  it("never splits an escape sequence between parts", () => {
    const text = "a".repeat(152) + "[" + "b".repeat(10);
    const { parts } = encodeSubmit(text, { to, concatReference: 1 });
    const texts = parts.map((p) => (decodePdu(p.pdu) as { text: string }).text);
    expect(texts[0]).toBe("a".repeat(152));
    expect(texts[1]).toBe("[" + "b".repeat(10));
  });

  it("never splits a surrogate pair between parts", () => {
    const text = "Ж".repeat(66) + "😀" + "Ж".repeat(10);
    const { parts, analysis } = encodeSubmit(text, { to, concatReference: 1 });
    expect(analysis).toMatchObject({ encoding: "ucs2", parts: 2, units: 78 });
    const texts = parts.map((p) => (decodePdu(p.pdu) as { text: string }).text);
    expect(texts[0]).toBe("Ж".repeat(66));
    expect(texts[1]!.startsWith("😀")).toBe(true);
    expect(texts.join("")).toBe(text);
  });

  it("reports what is left in the last part for previews", () => {
    expect(analyzeText("Hello")).toEqual({
      encoding: "gsm7",
      text: "Hello",
      parts: 1,
      units: 5,
      perPart: 160,
      remainingInPart: 155,
    });
    expect(analyzeText("x".repeat(200))).toMatchObject({ parts: 2, perPart: 153, remainingInPart: 106 });
  });
});

describe("choosing the encoding", () => {
  it("keeps GSM-7 letters é ü ñ Ä Ö à in GSM-7 (node-pdu would switch to UCS-2)", () => {
    expect(analyzeText("Grüße, señor Ärger? Öl, café à")).toMatchObject({ encoding: "gsm7", parts: 1 });
  });

  it("goes to UCS-2 for Greek lower case, Cyrillic and emoji", () => {
    expect(analyzeText("Καλημέρα").encoding).toBe("ucs2");
    expect(analyzeText("Оплатите счёт").encoding).toBe("ucs2");
    expect(analyzeText("Thanks 👍").encoding).toBe("ucs2");
  });

  it("carries upper-case Greek of the default alphabet in GSM-7", () => {
    expect(analyzeText("ΔΦΓΛΩΠΨΣΘΞ").encoding).toBe("gsm7");
  });

  it("refuses a forced encoding that cannot carry the text", () => {
    expect(() => analyzeText("Ж", { encoding: "gsm7" })).toThrowError(
      expect.objectContaining({ code: "sms.text_unencodable" }),
    );
    expect(() => analyzeText("Ж", { encoding: "8bit" })).toThrowError(
      expect.objectContaining({ code: "sms.text_unencodable" }),
    );
  });

  it("refuses a text longer than 255 parts", () => {
    expect(() => analyzeText("x".repeat(153 * 255 + 1))).toThrowError(
      expect.objectContaining({ code: "sms.text_unencodable" }),
    );
  });
});

describe("transliteration", () => {
  it("replaces word-processor look-alikes by default and stays in GSM-7", () => {
    const a = analyzeText("Dear Ann, we’ve “kindly” noted – your\u00a0invoice… is due");
    expect(a).toMatchObject({ encoding: "gsm7", text: 'Dear Ann, we\'ve "kindly" noted - your invoice... is due' });
  });

  it("can be switched off, which sends the exact text in UCS-2", () => {
    const a = analyzeText("we’ve", { transliterate: false });
    expect(a).toMatchObject({ encoding: "ucs2", text: "we’ve" });
  });

  it("leaves the text unchanged when it needs UCS-2 anyway", () => {
    expect(analyzeText("Счёт “42”")).toMatchObject({ encoding: "ucs2", text: "Счёт “42”" });
  });

  it("saves parts: a 150-character reminder with one curly quote is 1 part, not 3", () => {
    const text = "x".repeat(149) + "’";
    expect(analyzeText(text).parts).toBe(1);
    expect(analyzeText(text, { transliterate: false }).parts).toBe(3);
  });
});

describe("national language shift tables (TS 23.038 6.2.1.2, Annex A)", () => {
  const turkish =
    "Sayın müşterimiz, ödemeniz için teşekkür ederiz. Ağustos ayı faturanız hazır; lütfen İzmir şubemize uğrayın.";

  it("are not used without a locale", () => {
    expect(analyzeText(turkish).encoding).toBe("ucs2");
  });

  it("Turkish: GSM-7 with a shift table instead of UCS-2", () => {
    const a = analyzeText(turkish, { locale: "tr-TR" });
    expect(a.encoding).toBe("gsm7");
    expect(a.parts).toBe(1);
    expect(a.shift).toBeDefined();
    expect(analyzeText(turkish).parts).toBe(2);
  });

  it("Turkish: the locking shift wins when many letters would each need an escape", () => {
    const text = "ışığ".repeat(40); // 160 chars; ı ş ğ are one septet in the locking table, two with single shift
    const a = analyzeText(text, { locale: "tr" });
    expect(a).toMatchObject({ encoding: "gsm7", shift: { locking: "turkish" }, units: 160, parts: 2, perPart: 149 });
    expect(analyzeText(text).parts).toBe(3); // UCS-2: 160 units / 67
  });

  it("Spanish: single shift carries á í ó ú ç", () => {
    const a = analyzeText("Información: la próxima cuota vence el día 5. Gracias.", { locale: "es" });
    expect(a).toMatchObject({ encoding: "gsm7", shift: { single: "spanish" }, parts: 1 });
  });

  it("Portuguese: carries ã õ ê ç á", () => {
    const a = analyzeText("Prezado cliente, a sua fatura de março está disponível. Não se esqueça: ação até sexta.", {
      locale: "pt-BR",
    });
    expect(a.encoding).toBe("gsm7");
    expect(a.shift).toBeDefined();
  });

  it("are not used when the default alphabet does as well (the IE would cost header space)", () => {
    const a = analyzeText("Hola, su factura está lista", { locale: "es" });
    expect(a.shift).toBeDefined(); // á needs it
    expect(analyzeText("Hola, su factura lista", { locale: "es" }).shift).toBeUndefined();
  });

  it("round-trip through the PDU with the shift IEs in the header", () => {
    for (const [text, locale] of [
      [turkish, "tr"],
      ["ışığ".repeat(40), "tr"],
      ["Não, ação já", "pt"],
      ["Ó á ç", "es"],
    ] as const) {
      const { parts } = encodeSubmit(text, { to, locale, concatReference: 9 });
      expect(parts.map((p) => (decodePdu(p.pdu) as { text: string }).text).join("")).toBe(text);
    }
  });
});
