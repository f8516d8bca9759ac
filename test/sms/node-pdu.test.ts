// node-pdu (2.1.1) is an independent decoder for what we encode, and the reason we encode ourselves:
// these tests pin both its pitfalls and its agreement with our PDUs.
import { parse, Submit } from "node-pdu";
import { describe, expect, it } from "vitest";
import { analyzeText, decodePdu, encodeSubmit } from "../../src/sms/index.js";

describe("node-pdu's pitfalls, which our encoder avoids", () => {
  it("node-pdu splits a 150-character GSM-7 text in two (limit 140); ours sends one part", () => {
    expect(new Submit("+491701234567", "a".repeat(150)).getPartStrings()).toHaveLength(2);
    expect(encodeSubmit("a".repeat(150), { to: "+491701234567", concatReference: 1 }).parts).toHaveLength(1);
  });

  it("node-pdu switches to UCS-2 for é ü ñ Ä Ö; ours stays in GSM-7", () => {
    for (const ch of ["é", "ü", "ñ", "Ä", "Ö"]) {
      expect(new Submit("+491701234567", `Gr${ch}ße`).dataCodingScheme.textAlphabet).toBe(2); // ALPHABET_UCS2
      expect(analyzeText(`Gr${ch}ße`).encoding).toBe("gsm7");
    }
  });
});

describe("node-pdu reads our PDUs as we do", () => {
  it.each([
    ["hellohello"],
    ["Price: 10€ [due] {ref} ~ | ^ \\"],
    ["Привет, оплатите счёт"],
    ["x".repeat(200)],
    ["Grüße aus Köln, Señor Ñandú: 50 £ / 60 $ / 70 ¥"],
  ])("%s", (text) => {
    const { parts } = encodeSubmit(text, { to: "+491701234567", concatReference: 5, statusReport: true });
    const theirs = parts.map((p) => parse(p.pdu) as Submit);
    expect(theirs.map((s) => s.data.getText()).join("")).toBe(text);
    expect(theirs.every((s) => s.address.phone === "491701234567")).toBe(true);
    expect(parts.map((p) => (decodePdu(p.pdu) as { text: string }).text).join("")).toBe(text);
  });
});
