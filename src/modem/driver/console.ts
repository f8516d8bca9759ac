import { DuegateError, ErrorCode } from "../../core/errors.js";

/**
 * The web panel's AT console runs only these: queries that change nothing and reveal no
 * secret. Anything that sends, deletes, resets, changes the PIN or the storage is refused.
 */
const SAFE = [
  /^AT$/,
  /^ATI$/,
  /^AT\+CSQ$/,
  /^AT\+C(G|E)?REG\?$/,
  /^AT\+COPS\?$/,
  /^AT\+CPIN\?$/,
  /^AT\+CPMS\?$/,
  /^AT\+CSCA\?$/,
  /^AT\+CGM[IMR]$/,
  /^AT\+CCLK\?$/,
  /^AT\+CNMI\?$/,
  /^AT\+CMGF\?$/,
  /^AT\+CFUN\?$/,
  /^AT\+CMEE\?$/,
  /^AT\+CSMS\?$/,
  /^AT\+CPSI\?$/,
  /^AT\+QNWINFO$/,
  /^AT\+QCSQ$/,
  /^AT\^HCSQ\?$/,
  /^AT\^SYSINFOEX$/,
];

/** Normalises and checks a console command; throws DuegateError(Forbidden) for anything else. */
export function allowConsoleCommand(input: string): string {
  const cmd = input.trim().toUpperCase();
  if (!SAFE.some((re) => re.test(cmd))) {
    throw new DuegateError(
      ErrorCode.Forbidden,
      `AT command "${input.trim().slice(0, 40)}" is not on the console's allow-list (queries only)`,
      { command: input.trim().slice(0, 40) },
    );
  }
  return cmd;
}
