/**
 * The modem checks of `duegate doctor`, shared by the CLI (its own AT channel on a port it
 * opens) and the running service (Modem.diagnose(), through the driver's channel, queued behind
 * sends at the health priority). One list of checks and hints, written once.
 */
import { readdir } from "node:fs/promises";
import { errorMessage } from "../../core/errors.js";
import type { AtPriority, AtCommand } from "../at/command.js";
import { at } from "../at/commands/at.js";
import { copsQuery } from "../at/commands/cops.js";
import { cpinEnter, cpinQuery } from "../at/commands/cpin.js";
import { cpmsQuery } from "../at/commands/cpms.js";
import { cregQuery } from "../at/commands/creg.js";
import { cscaQuery } from "../at/commands/csca.js";
import { csq } from "../at/commands/csq.js";
import { ati, cgmm, cgmr, cimi } from "../at/commands/identity.js";
import { loadProfile, profilesDir, type ModemProfile } from "./profile.js";

import type { DoctorCheck } from "../../api/events.js";

export type { DoctorCheck };

export type RunAt = <R>(cmd: AtCommand<R>) => Promise<R>;

export const HINTS = {
  profile: "set modem.profile to one of firmware-config/profiles (generic works for most modems)",
  portMissing:
    "no such device: check the cable and `lsusb`, then `ls -l /dev/serial/by-id/` and use the by-id name of the AT port (ttyUSB numbers change after a replug), or add a udev rule for a stable name (docs/modems.md, Stable names); Huawei sticks need usb_modeswitch to leave storage/HiLink mode",
  portPermission:
    "permission denied: the user running duegate must be in group dialout (`sudo usermod -aG dialout $USER`, then log in again; the service user of scripts/install.sh is), or a udev rule must give the port to that group",
  portBusy:
    "another program holds the port: ModemManager (`sudo systemctl stop ModemManager`, or the udev rule that tells it to ignore the modem), a second duegate, or the running service (use the panel's Doctor instead, or stop the service)",
  notSerial: "this is not a serial device: give the modem's tty (/dev/serial/by-id/..., /dev/ttyUSB2)",
  portOther: "check the path, the cable and `dmesg | tail` for USB errors",
  noAnswer:
    "the port opened but the modem says nothing: wrong port (a USB modem has several; the AT port is usually if02 / ttyUSB2), wrong baud rate (modem.baudRate; USB modems ignore it, UART modules often want 115200 or 9600), another program (ModemManager) talking to the port, or a HiLink firmware without an AT port",
  simPin: "the SIM wants a PIN: set modem.pin",
  simPuk: "the SIM is PUK-locked: unlock it in a phone",
  noSim: "no SIM detected: check that it is inserted the right way round",
  simOther: "check the SIM in a phone",
  imsi: "the SIM did not give its IMSI",
  signal: "weak or no signal: connect the antenna, move the modem away from the Pi, try a USB extension cable",
  denied: "the network refuses the SIM: is it activated and not blocked?",
  unregistered:
    "not registered: check that the antenna is connected and that there is coverage here (see the signal), wait a minute after start; check the profile's registration type (CREG/CEREG)",
  operator: "no operator while unregistered",
  smsc: "set modem.smsc to your operator's SMS centre number",
  storage: "full storage stops reception: duegate reads and deletes stored messages at start",
} as const;

/** IMSI with the subscriber digits hidden: MCC+MNC stay (they name the operator). */
export function maskImsi(imsi: string): string {
  const d = imsi.replace(/\D/g, "");
  return d.length < 8 ? "*".repeat(d.length) : d.slice(0, 5) + "*".repeat(d.length - 7) + d.slice(-2);
}

/** The same command at another priority: the live modem's checks wait behind sends. */
export function atPriority<R>(cmd: AtCommand<R>, priority: AtPriority): AtCommand<R> {
  return { ...cmd, priority };
}

export interface ModemCheckOptions {
  /** Where the modem is (its port), named in a failure that is about the port. */
  where?: string;
  /** The CLI probes up to 3 times (a modem just plugged in); the service once. */
  atAttempts: number;
  /** Enter this PIN when the SIM asks (CLI only: the running driver does that itself). */
  pin?: string;
  /** Run once AT answered (CLI: echo off, numeric errors; the driver's init did that already). */
  afterAnswer?: () => Promise<void>;
}

/**
 * AT, model/firmware, SIM state, IMSI (masked), signal, registration, operator, SMS centre and
 * storage, in that order; stops after a failure that makes the rest meaningless (no answer, no SIM).
 */
export async function modemChecks(
  run: RunAt,
  profile: ModemProfile,
  opts: ModemCheckOptions,
  add: (c: DoctorCheck) => void,
): Promise<void> {
  const t = profile.timeouts;
  let answered = false;
  for (let i = 0; i < opts.atAttempts && !answered; i++)
    answered = await run(at(1500)).then(
      () => true,
      () => false,
    );
  add({
    name: "AT answers",
    ok: answered,
    detail: answered ? "OK" : `no answer to AT${opts.where ? ` on ${opts.where}` : ""}`,
    hint: answered ? undefined : HINTS.noAnswer,
  });
  if (!answered) return;
  await opts.afterAnswer?.();

  const info = await Promise.all(
    [run(ati(t.command)), run(cgmm(t.command)), run(cgmr(t.command))].map((p) => p.catch(() => "")),
  );
  const model = info[1] || info[0] || "unknown";
  const matches = profile.match.model ? new RegExp(profile.match.model, "i").test(`${info[0]} ${model}`) : true;
  const suggestion = matches ? undefined : await suggestProfile(`${info[0]} ${model}`);
  add({
    name: "model / firmware",
    ok: true,
    detail: `${model}; firmware ${info[2] || "unknown"}`,
    hint:
      suggestion && suggestion !== profile.name
        ? `this looks like a ${suggestion}: set modem.profile to ${suggestion}`
        : undefined,
  });

  let simState = await run(cpinQuery(t.network)).catch((e: unknown) => `error: ${errorMessage(e)}`);
  if (simState === "SIM PIN" && opts.pin)
    simState = await run(cpinEnter(opts.pin, t.network)).then(
      () => "READY (PIN entered)",
      (e: unknown) => `PIN rejected: ${errorMessage(e)}`,
    );
  const simOk = simState.startsWith("READY");
  const simHint =
    simState === "SIM PIN"
      ? HINTS.simPin
      : /PUK/.test(simState)
        ? HINTS.simPuk
        : /10|not inserted/i.test(simState)
          ? HINTS.noSim
          : HINTS.simOther;
  add({ name: "SIM", ok: simOk, detail: simState, hint: simOk ? undefined : simHint });
  if (!simOk) return;

  const imsi = await run(cimi(t.command)).catch(() => "");
  add({
    name: "IMSI",
    ok: imsi.length > 0,
    detail: imsi ? maskImsi(imsi) : "not readable",
    hint: imsi ? undefined : HINTS.imsi,
  });

  const signal = await run(csq(t.command)).catch(() => undefined);
  const signalOk = signal !== undefined && signal.rssi !== 99 && signal.rssi >= 5;
  const signalText = signal
    ? signal.rssi === 99
      ? "not known (rssi 99)"
      : `${signal.dbm} dBm (rssi ${signal.rssi}, ${signal.bars}/4 bars)`
    : "no answer";
  add({
    name: "signal",
    ok: signalOk,
    detail: signalText,
    hint: signalOk ? undefined : HINTS.signal,
    ...(signal && signal.rssi !== 99 ? { signal } : {}),
  });

  const reg = await run(cregQuery(t.command, undefined, profile.registration)).catch(() => "unknown" as const);
  const regOk = reg === "home" || reg === "roaming";
  add({
    name: "registration",
    ok: regOk,
    detail: reg,
    hint: regOk ? undefined : reg === "denied" ? HINTS.denied : HINTS.unregistered,
  });

  const operator = await run(copsQuery(t.network)).catch(() => undefined);
  add({
    name: "operator",
    ok: Boolean(operator),
    detail: operator ?? "none",
    hint: operator ? undefined : HINTS.operator,
  });

  const smsc = await run(cscaQuery(t.command)).catch(() => undefined);
  add({
    name: "SMS centre",
    ok: Boolean(smsc),
    detail: smsc ?? "not set on the SIM",
    hint: smsc ? undefined : HINTS.smsc,
  });

  const storage = await run(cpmsQuery(t.command)).catch(() => undefined);
  const storageOk = storage !== undefined && storage.used < storage.total;
  add({
    name: "SMS storage",
    ok: storageOk,
    detail: storage ? `${storage.storage} ${storage.used}/${storage.total} used` : "no answer",
    hint: storageOk ? undefined : HINTS.storage,
  });
}

/** Modem.diagnose(): the driver's state first, then the checks through its running channel. */
export async function liveDiagnosis(d: {
  up: boolean;
  port: string;
  state: string;
  lastError: string | undefined;
  profile: ModemProfile;
  run: RunAt;
}): Promise<{ checks: DoctorCheck[] }> {
  const checks: DoctorCheck[] = [];
  const ok = d.up && !d.state.startsWith("recovering");
  const detail = `${d.port}: ${d.state}${d.lastError ? `; last error: ${d.lastError}` : ""}`;
  checks.push({
    name: "modem",
    ok,
    detail,
    hint: d.up
      ? undefined
      : "the port is not open; duegate keeps reopening it (see the log). For the port checks, stop the service and run `duegate doctor`",
  });
  if (d.up) await modemChecks(d.run, d.profile, { atAttempts: 1, where: d.port }, (c) => void checks.push(c));
  return { checks };
}

/** The profile whose `match.model` pattern matches what the modem says it is. */
export async function suggestProfile(model: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = (await readdir(profilesDir())).filter((f) => f.endsWith(".yaml")).map((f) => f.slice(0, -5));
  } catch {
    return undefined;
  }
  for (const name of names) {
    const p = await loadProfile(name).catch(() => undefined);
    if (p?.match.model && new RegExp(p.match.model, "i").test(model)) return p.name;
  }
  return undefined;
}
