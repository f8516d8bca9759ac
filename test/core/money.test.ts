import { describe, expect, it } from "vitest";
import { currencyExponent, formatMoney, plainSpaces } from "../../src/core/money.js";

const GSM_UNSAFE = /[\u00a0\u202f\u2009\u2212]/;

describe("money with currency exponents", () => {
  it("knows the minor units of each currency from Intl: none for JPY, KRW, ISK; three for BHD, KWD, TND", () => {
    expect(["JPY", "KRW", "ISK"].map(currencyExponent)).toEqual([0, 0, 0]);
    expect(["BHD", "KWD", "TND"].map(currencyExponent)).toEqual([3, 3, 3]);
    expect(["EUR", "USD", "CHF"].map(currencyExponent)).toEqual([2, 2, 2]);
  });

  it("formats 500 yen as 500, not 5.00, and 1234 fils as 1.234 dinar", () => {
    expect(formatMoney(500, "JPY", "en-GB")).toMatch(/500$/);
    expect(formatMoney(500, "JPY", "en-GB")).not.toMatch(/5\.00/);
    expect(formatMoney(1_234, "KWD", "en-GB")).toMatch(/1\.234$/);
    expect(formatMoney(123_456, "EUR", "de-DE")).toBe("1.234,56 €");
    expect(formatMoney(123_456, "EUR", "fr-FR")).toBe("1 234,56 €");
    expect(formatMoney(9_900, "ISK", "is-IS")).toMatch(/^9\.900 kr\.?$/);
  });

  it("gives exactly Intl's output (with GSM-safe spaces) on the fast path and off it", () => {
    const locales = ["de-DE", "en-GB", "fr-FR", "es-ES", "en-IN", "ar-EG", "ja-JP", "sv-SE", "de-CH"];
    const currencies = ["EUR", "JPY", "KWD", "INR", "CHF", "SEK"];
    const amounts = [0, 7, 1_000, 99_999, 1_234_567, 987_654_321, -4_250];
    for (const locale of locales)
      for (const currency of currencies) {
        const digits = currencyExponent(currency);
        const intl = new Intl.NumberFormat(locale, { style: "currency", currency });
        for (const minor of amounts) {
          const text = formatMoney(minor, currency, locale);
          expect(text, `${minor} ${currency} ${locale}`).toBe(plainSpaces(intl.format(minor / 10 ** digits)));
          expect(text).not.toMatch(GSM_UNSAFE);
        }
      }
  });

  it("uses the fallback locale for a missing or malformed one", () => {
    expect(formatMoney(1_250, "EUR", undefined, "de-DE")).toBe("12,50 €");
    expect(formatMoney(1_250, "EUR", "not a locale!", "de-DE")).toBe("12,50 €");
  });
});
