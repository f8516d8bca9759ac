/** Public types of the SMS codec (docs/sms-codec.md). */
export type Encoding = "gsm7" | "ucs2" | "8bit";

export interface TextOptions {
  /** Replace typographic look-alikes with GSM-7 characters when that keeps the text in GSM-7. Default true. */
  transliterate?: boolean;
  /** BCP 47 locale; "tr", "es" and "pt" enable the national language shift tables when they save parts. */
  locale?: string;
  /** Force an encoding instead of the cheapest one (extension of the contract; tests and the simulator). */
  encoding?: Encoding;
}

export interface TextAnalysis {
  encoding: Encoding;
  /** The text as it will be sent, after transliteration. */
  text: string;
  parts: number;
  /** Septets (gsm7, escapes count 2), UCS-2 code units, or octets (8bit) of the whole text. */
  units: number;
  /** Units one part holds with the headers this text needs (160/153, 70/67, 140/134 without shift tables). */
  perPart: number;
  /** Units still free in the last part. */
  remainingInPart: number;
  /** National language tables used (names: "turkish", "spanish", "portuguese"). */
  shift?: { locking?: string; single?: string };
}

export interface SubmitOptions extends TextOptions {
  /** E.164 ("+4917..."); digits without "+" are sent as unknown type of number. */
  to: string;
  /** SMS centre number; absent: "00", the SIM's own. */
  smsc?: string;
  statusReport?: boolean;
  /** TP-VP in relative format (TS 23.040 9.2.3.12.1), rounded up to the next step the format has. */
  validityMinutes?: number;
  /** Concatenation reference (from a persisted counter); used only if the text needs several parts. */
  concatReference: number;
  referenceBits?: 8 | 16;
}

export interface SubmitPart {
  index: number;
  count: number;
  /** Hex, with the SMSC prefix (00 = the SIM's). */
  pdu: string;
  /** The <length> of AT+CMGS: TPDU octets without the SMSC part. */
  tpduLength: number;
}

export interface Concat {
  reference: number;
  count: number;
  index: number;
  bits: 8 | 16;
}

export interface InformationElement {
  iei: number;
  /** Hex of the IE data. */
  data: string;
}

export interface UserDataHeader {
  elements: InformationElement[];
  concat?: Concat;
  /** National language ids from IE 0x24 (single) and 0x25 (locking). */
  singleShift?: number;
  lockingShift?: number;
}

export interface DeliverPdu {
  type: "deliver";
  smsc?: string;
  from: string;
  /** Service centre time stamp, ms since epoch (UTC). */
  timestamp: number;
  encoding: Encoding;
  text: string;
  udh?: UserDataHeader;
  concat?: Concat;
  /** TP-PID and TP-DCS as received, for technicians. */
  pid: number;
  dcs: number;
  statusReportIndication: boolean;
}

export interface DeliveryOutcome {
  /** The SMSC makes no more attempts. */
  final: boolean;
  delivered: boolean;
  /** The failure is of the kind that may pass (congestion, busy, no answer). */
  temporary: boolean;
  text: string;
}

export interface StatusReportPdu {
  type: "status-report";
  smsc?: string;
  /** TP-MR of the SMS-SUBMIT this reports on. */
  reference: number;
  recipient: string;
  /** When the SMSC received the submit, ms since epoch. */
  scts: number;
  /** When it was delivered or the status last changed, ms since epoch. */
  discharge: number;
  status: number;
  outcome: DeliveryOutcome;
}

export interface SubmitPdu {
  type: "submit";
  smsc?: string;
  to: string;
  reference: number;
  encoding: Encoding;
  text: string;
  statusReport: boolean;
  /** Relative validity in minutes, or an absolute time in ms for the absolute format. */
  validity?: { minutes: number } | { until: number };
  udh?: UserDataHeader;
  concat?: Concat;
  pid: number;
  dcs: number;
}

export type DecodedPdu = DeliverPdu | StatusReportPdu | SubmitPdu;

export interface InboundText {
  from: string;
  text: string;
  encoding: Encoding;
  timestamp: number;
  receivedAt: number;
  parts: number;
  partsReceived: number;
  incomplete: boolean;
  concatReference?: number;
}
