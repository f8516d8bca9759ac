/** The SMS codec: text ↔ parts ↔ PDUs. Pure functions and one stateful reassembler; no I/O. */
export type {
  Concat,
  DecodedPdu,
  DeliverPdu,
  DeliveryOutcome,
  Encoding,
  InboundText,
  InformationElement,
  StatusReportPdu,
  SubmitOptions,
  SubmitPart,
  SubmitPdu,
  TextAnalysis,
  TextOptions,
  UserDataHeader,
} from "./types.js";
export { analyzeText, capacity, MAX_PARTS } from "./segment.js";
export { encodeSubmit } from "./pdu/submit.js";
export {
  DEFAULT_CODEC,
  encodeForSend,
  measureText,
  type CodecSettings,
  type MeasuredText,
  type SendAddressing,
} from "./send-text.js";
export { encodeDeliver, type DeliverOptions } from "./pdu/deliver.js";
export { encodeStatusReport, type StatusReportInput } from "./pdu/status-report.js";
export { decodePdu, type DecodeOptions } from "./pdu/decode.js";
export { statusOutcome } from "./status.js";
export { Reassembler } from "./reassembler.js";
export { TRANSLITERATIONS, transliterate } from "./alphabet/transliterate.js";
export { NATIONAL_LANGUAGES, languageForLocale } from "./alphabet/shift-tables.js";
