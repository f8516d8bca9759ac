/**
 * The one place dunning asks the SMS codec how a text will travel (encoding, parts), so that
 * previews, forecasts and cost estimates count exactly as the outbox will send.
 */
import { analyzeText } from "../sms/index.js";

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
