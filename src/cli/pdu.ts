/**
 * `duegate pdu decode <hex>` and `duegate pdu encode --to --text [--srr] [--locale]`: JSON for technicians who read
 * modem logs. src/cli/run.ts wires these into the command line; errors are DuegateErrors (PduMalformed,
 * PduTruncated, PduUnsupported, TextUnencodable) that the CLI prints with their code.
 */
import { DuegateError, ErrorCode, isDuegateError } from "../core/errors.js";
import {
  analyzeText,
  decodePdu,
  DEFAULT_CODEC,
  encodeForSend,
  measureText,
  type DecodedPdu,
  type UserDataHeader,
} from "../sms/index.js";
import { countryOf } from "../core/phone.js";
import { localeOfCountry } from "../outbox/recipient-context.js";

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

const IE_NAMES: Record<number, string> = {
  0x00: "concatenation, 8-bit reference",
  0x08: "concatenation, 16-bit reference",
  0x24: "national language single shift",
  0x25: "national language locking shift",
};

function udhJson(udh: UserDataHeader | undefined): object | undefined {
  if (!udh) return undefined;
  return {
    elements: udh.elements.map((e) => ({
      iei: `0x${e.iei.toString(16).padStart(2, "0")}`,
      name: IE_NAMES[e.iei] ?? "other",
      data: e.data,
    })),
    ...(udh.concat ? { concat: udh.concat } : {}),
    ...(udh.singleShift !== undefined ? { singleShift: udh.singleShift } : {}),
    ...(udh.lockingShift !== undefined ? { lockingShift: udh.lockingShift } : {}),
  };
}

function hexByte(n: number): string {
  return `0x${n.toString(16).padStart(2, "0")}`;
}

function describe(d: DecodedPdu, smscPrefix: boolean): object {
  const common = { type: d.type, smscPrefix, ...(d.smsc ? { smsc: d.smsc } : {}) };
  switch (d.type) {
    case "deliver":
      return {
        ...common,
        from: d.from,
        timestamp: iso(d.timestamp),
        timestampMs: d.timestamp,
        encoding: d.encoding,
        dcs: hexByte(d.dcs),
        pid: hexByte(d.pid),
        text: d.text,
        length: d.text.length,
        udh: udhJson(d.udh),
        statusReportIndication: d.statusReportIndication,
      };
    case "submit":
      return {
        ...common,
        to: d.to,
        messageReference: d.reference,
        encoding: d.encoding,
        dcs: hexByte(d.dcs),
        pid: hexByte(d.pid),
        text: d.text,
        length: d.text.length,
        udh: udhJson(d.udh),
        statusReportRequest: d.statusReport,
        validity: d.validity && ("minutes" in d.validity ? d.validity : { until: iso(d.validity.until) }),
      };
    case "status-report":
      return {
        ...common,
        messageReference: d.reference,
        recipient: d.recipient,
        scts: iso(d.scts),
        discharge: iso(d.discharge),
        status: d.status,
        statusHex: hexByte(d.status),
        outcome: d.outcome,
      };
  }
}

/**
 * Decodes a PDU as the modem shows it. Without an SMSC prefix (some +CDS lines, a bare TPDU from a log)
 * the first attempt usually fails; then the hex is read again as a bare TPDU (`smscPrefix: false` in the output).
 */
export function pduDecodeCommand(hex: string): object {
  try {
    return describe(decodePdu(hex), true);
  } catch (first) {
    if (!isDuegateError(first)) throw first;
    try {
      return describe(decodePdu(hex, { smscPrefix: false }), false);
    } catch {
      throw first;
    }
  }
}

export function pduEncodeCommand(opts: {
  to: string;
  text: string;
  srr?: boolean;
  smsc?: string;
  locale?: string;
}): object {
  if (!/^\+?[0-9]{1,20}$/.test(opts.to.trim())) {
    throw new DuegateError(
      ErrorCode.Validation,
      `--to "${opts.to}" is no phone number (digits, optionally with a leading +)`,
      { field: "to" },
    );
  }
  const to = opts.to.trim();
  // The recipient's locale as the outbox would take it without an account: the number's country (src/outbox/recipient-context.ts).
  const country = countryOf(to);
  const locale = opts.locale ?? (country ? localeOfCountry(country) : undefined);
  const analysis = measureText(opts.text, locale, DEFAULT_CODEC);
  const parts = encodeForSend(opts.text, locale, DEFAULT_CODEC, {
    to,
    ...(opts.smsc ? { smsc: opts.smsc } : {}),
    statusReport: opts.srr === true,
    validityMinutes: 0,
    concatReference: 0, // a preview only: the real reference comes from the outbox's persisted counter
  });
  const detail = analyzeText(opts.text, { transliterate: DEFAULT_CODEC.transliterate, ...(locale ? { locale } : {}) });
  return {
    encoding: analysis.encoding,
    parts: parts.length,
    pdus: parts.map((p) => p.pdu),
    tpduLengths: parts.map((p) => p.tpduLength),
    units: analysis.units,
    perPart: detail.perPart,
    remainingInPart: detail.remainingInPart,
    text: analysis.text,
    ...(locale ? { locale } : {}),
    ...(analysis.text !== opts.text ? { transliterated: true } : {}),
    ...(analysis.shift ? { shift: analysis.shift } : {}),
  };
}
