/**
 * The one place dunning asks the SMS codec how a text will travel (encoding, parts), so that
 * previews, forecasts and cost estimates count exactly as the outbox will send.
 */
import { analyzeText, partTexts } from "../sms/index.js";

export interface TextMeasure {
  text: string;
  encoding: "gsm7" | "ucs2" | "8bit";
  parts: number;
  units: number;
}

export function measureText(text: string, locale?: string): TextMeasure {
  const a = analyzeText(text, locale ? { locale } : {});
  return { text: a.text, encoding: a.encoding, parts: a.parts, units: a.units };
}

/** The text of each part, as the outbox will split it (the policy editor shows the breaks). */
export function splitIntoParts(text: string, locale?: string): string[] {
  return partTexts(text, locale ? { locale } : {});
}
