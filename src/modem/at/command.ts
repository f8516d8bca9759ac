/**
 * One AT command, declared in its own file under commands/ (zwave-js
 * one Message per file). The channel and the driver never concatenate AT strings or parse
 * replies inline.
 */
export enum AtPriority {
  /** Recovery and init: nothing else makes sense before they are done. */
  Control = 0,
  /** Reading and deleting stored SMS: frees SIM storage, and a debtor's reply waits. */
  Inbound = 1,
  /** Sending a part. */
  Send = 2,
  /** Signal, registration, operator polls: whenever the line is idle. */
  Health = 3,
}

export interface AtCommand<R> {
  /** Short tag for logs and metrics: "CMGS". */
  readonly name: string;
  /** The command line without CR: "AT+CMGS=23". */
  readonly text: string;
  /** Sent after the "> " prompt; the channel appends Ctrl-Z. */
  readonly body?: string;
  /** Information lines that belong to this command ("+CMGS:"). Others are URCs or noise. */
  readonly responsePrefixes: readonly string[];
  /** Also accept lines without a prefix (ATI, +CGMR, the PDU line after +CMGR/+CMGL). */
  readonly acceptsBareLines?: boolean;
  readonly timeoutMs: number;
  readonly priority: AtPriority;
  /** False for commands that must not be repeated blindly after a timeout (AT+CMGS sends). */
  readonly retryable: boolean;
  /** The text carries a secret (the PIN): logs show the name only. */
  readonly sensitive?: boolean;
  /** Pure: the information lines of a successful reply → the result. Throws DuegateError(ModemParse). */
  parse(lines: readonly string[]): R;
}

/** Default timeouts in ms; a profile overrides them (firmware-config/profiles/*.yaml). */
export interface AtTimeouts {
  /** Plain queries and settings: AT, ATE0, +CSQ. [100...60000], default 2000. */
  command: number;
  /** AT+CMGS until +CMGS: (TS 27.005 gives none; Kannel waits 20 s, ModemManager 10 s + network). default 60000. */
  send: number;
  /** Reading one stored SMS or a list (AT+CMGL on a full SIM is slow: gammu #323). default 30000. */
  read: number;
  /** AT+COPS? may scan; AT+CPIN= may take seconds. default 20000. */
  network: number;
}

export const DEFAULT_TIMEOUTS: AtTimeouts = { command: 2000, send: 60_000, read: 30_000, network: 20_000 };
