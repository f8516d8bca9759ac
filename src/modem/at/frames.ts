/**
 * What the parser makes of the bytes (zwave-js ZWaveSerialFrame). The
 * parser does not know which command is in flight: deciding "response line or URC" is the
 * channel's job.
 */
export type AtFrame =
  | { kind: "line"; text: string }
  /** The "> " of AT+CMGS (TS 27.005 3.5.1): it has no line end. */
  | { kind: "prompt" }
  | { kind: "final"; ok: boolean; text: string }
  /** TS 27.005 3.2.5. */
  | { kind: "cms-error"; code: number; text: string }
  /** TS 27.007 9.2; verbose (CMEE=2) modems give text instead of a number. */
  | { kind: "cme-error"; code: number | undefined; text: string }
  /** Bytes that are no AT line (line noise, a modem booting): logged and skipped. */
  | { kind: "noise"; text: string };
