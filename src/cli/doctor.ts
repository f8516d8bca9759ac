/**
 * `duegate doctor`: diagnoses a modem for a technician, one pass/fail line per check with a
 * hint. It talks to the modem through the same transport and AT channel as the service, but
 * step by step, so that a failing step (no SIM, no network) is reported, not retried.
 */
import { existsSync } from "node:fs";
import { systemClock } from "../core/clock.js";
import { errorMessage, isDuegateError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { ModemSimulator, listPorts, loadProfile, type PortInfo } from "../modem/index.js";
import { AtChannel } from "../modem/at/channel.js";
import type { AtCommand } from "../modem/at/command.js";
import { at } from "../modem/at/commands/at.js";
import { ate } from "../modem/at/commands/ate.js";
import { cmee } from "../modem/at/commands/cmee.js";
import { copsQuery } from "../modem/at/commands/cops.js";
import { cpinEnter, cpinQuery } from "../modem/at/commands/cpin.js";
import { cpmsQuery } from "../modem/at/commands/cpms.js";
import { cregQuery } from "../modem/at/commands/creg.js";
import { cscaQuery } from "../modem/at/commands/csca.js";
import { csq } from "../modem/at/commands/csq.js";
import { ati, cgmm, cgmr, cimi } from "../modem/at/commands/identity.js";
import { profilesDir, type ModemProfile } from "../modem/driver/profile.js";
import { resolveTransport } from "../modem/transport/resolve.js";
import { readdir } from "node:fs/promises";

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

export interface DoctorOptions {
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  logger: Logger;
  /** For port "sim": the simulator to diagnose (created if absent). */
  simulator?: ModemSimulator;
}

/** IMSI with the subscriber digits hidden: MCC+MNC stay (they name the operator). */
export function maskImsi(imsi: string): string {
  const d = imsi.replace(/\D/g, "");
  return d.length < 8 ? "*".repeat(d.length) : d.slice(0, 5) + "*".repeat(d.length - 7) + d.slice(-2);
}

export async function runDoctor(opts: DoctorOptions): Promise<{ checks: DoctorCheck[] }> {
  const checks: DoctorCheck[] = [];
  const add = (c: DoctorCheck) => void checks.push(c);
  // Our timers do not keep the process alive; a one-shot verb must not exit mid-check.
  const keepAlive = setInterval(() => {}, 1000);
  try {
    await checkPorts(opts, add);
    let profile: ModemProfile;
    try {
      profile = await loadProfile(opts.profile);
      add({ name: "profile", ok: true, detail: `${profile.name}: ${profile.description}` });
    } catch (e) {
      add({ name: "profile", ok: false, detail: errorMessage(e), hint: "set modem.profile to one of firmware-config/profiles (generic works for most modems)" });
      profile = await loadProfile("generic");
    }
    await checkModem(opts, profile, add);
  } finally {
    clearInterval(keepAlive);
  }
  return { checks };
}

async function checkPorts(opts: DoctorOptions, add: (c: DoctorCheck) => void): Promise<void> {
  const ports: PortInfo[] = await listPorts().catch(() => []);
  const names = ports.map((p) => `${p.byId ?? p.path}${p.byId ? ` → ${p.path}` : ""}${p.vendorId ? ` [${p.vendorId}:${p.productId}]` : ""}`);
  if (opts.port === "sim" || opts.port.startsWith("tcp://")) {
    add({ name: "serial ports", ok: true, detail: `${opts.port === "sim" ? "built-in simulator" : opts.port}; ports on this machine: ${names.length ? names.join(", ") : "none"}` });
    return;
  }
  const known = ports.some((p) => p.path === opts.port || p.byId === opts.port) || existsSync(opts.port);
  add({
    name: "serial ports",
    ok: known,
    detail: names.length ? names.join(", ") : "no USB serial ports found",
    hint: known ? undefined : `${opts.port} does not exist. Check the cable and \`lsusb\`; Huawei sticks need usb_modeswitch to leave storage/HiLink mode; prefer a /dev/serial/by-id/... name`,
  });
}

async function checkModem(opts: DoctorOptions, profile: ModemProfile, add: (c: DoctorCheck) => void): Promise<void> {
  const sim = opts.port === "sim" ? (opts.simulator ?? new ModemSimulator()) : undefined;
  const t = profile.timeouts;
  let transport;
  try {
    transport = await resolveTransport({ port: opts.port, baudRate: opts.baudRate, logger: opts.logger, usb: profile.match.usb, simulator: sim })();
    add({ name: "port opens", ok: true, detail: transport.description });
  } catch (e) {
    add({ name: "port opens", ok: false, detail: errorMessage(e), hint: "is another program (ModemManager, a second duegate) using the port? Is the user in group dialout?" });
    return;
  }
  const channel = new AtChannel({ clock: systemClock, logger: opts.logger });
  channel.attach(transport);
  const run = <R>(cmd: AtCommand<R>) => channel.execute(cmd);
  try {
    let answered = false;
    for (let i = 0; i < 3 && !answered; i++) answered = await run(at(1500)).then(() => true, () => false);
    add({ name: "AT answers", ok: answered, detail: answered ? "OK" : "no answer to AT", hint: answered ? undefined : "wrong port (a USB modem has several: the AT port is usually if02 / ttyUSB2), wrong baud rate, or a HiLink firmware without AT port" });
    if (!answered) return;
    await run(ate(false, t.command)).catch(() => {});
    await run(cmee(1, t.command)).catch(() => {});

    const info = await Promise.all([run(ati(t.command)), run(cgmm(t.command)), run(cgmr(t.command))].map((p) => p.catch(() => "")));
    const model = info[1] || info[0] || "unknown";
    const suggestion = await suggestProfile(`${info[0]} ${model}`);
    const matches = profile.match.model ? new RegExp(profile.match.model, "i").test(`${info[0]} ${model}`) : true;
    add({
      name: "model / firmware",
      ok: true,
      detail: `${model}; firmware ${info[2] || "unknown"}`,
      hint: !matches && suggestion && suggestion !== profile.name ? `this looks like a ${suggestion}: set modem.profile to ${suggestion}` : undefined,
    });

    let simState = await run(cpinQuery(t.network)).catch((e: unknown) => `error: ${errorMessage(e)}`);
    if (simState === "SIM PIN" && opts.pin) simState = await run(cpinEnter(opts.pin, t.network)).then(() => "READY (PIN entered)", (e: unknown) => `PIN rejected: ${errorMessage(e)}`);
    const simOk = simState.startsWith("READY");
    add({
      name: "SIM",
      ok: simOk,
      detail: simState,
      hint: simOk ? undefined : simState === "SIM PIN" ? "the SIM wants a PIN: set modem.pin" : /PUK/.test(simState) ? "the SIM is PUK-locked: unlock it in a phone" : /10|not inserted/i.test(simState) ? "no SIM detected: check that it is inserted the right way round" : "check the SIM in a phone",
    });
    if (!simOk) return;

    const imsi = await run(cimi(t.command)).catch(() => "");
    add({ name: "IMSI", ok: imsi.length > 0, detail: imsi ? maskImsi(imsi) : "not readable", hint: imsi ? undefined : "the SIM did not give its IMSI" });

    const signal = await run(csq(t.command)).catch(() => undefined);
    const signalOk = signal !== undefined && signal.rssi !== 99 && signal.rssi >= 5;
    add({ name: "signal", ok: signalOk, detail: signal ? (signal.rssi === 99 ? "not known (rssi 99)" : `${signal.dbm} dBm (rssi ${signal.rssi}, ${signal.bars}/4 bars)`) : "no answer", hint: signalOk ? undefined : "weak or no signal: connect the antenna, move the modem away from the Pi, try a USB extension cable" });

    const reg = await run(cregQuery(t.command, undefined, profile.registration)).catch(() => "unknown" as const);
    const regOk = reg === "home" || reg === "roaming";
    add({ name: "registration", ok: regOk, detail: reg, hint: regOk ? undefined : reg === "denied" ? "the network refuses the SIM: is it activated and not blocked?" : "not registered yet: wait a minute, check coverage and the profile's registration type (CREG/CEREG)" });

    const operator = await run(copsQuery(t.network)).catch(() => undefined);
    add({ name: "operator", ok: Boolean(operator), detail: operator ?? "none", hint: operator ? undefined : "no operator while unregistered" });

    const smsc = await run(cscaQuery(t.command)).catch(() => undefined);
    add({ name: "SMS centre", ok: Boolean(smsc), detail: smsc ?? "not set on the SIM", hint: smsc ? undefined : "set modem.smsc to your operator's SMS centre number" });

    const storage = await run(cpmsQuery(t.command)).catch(() => undefined);
    const storageOk = storage !== undefined && storage.used < storage.total;
    add({ name: "SMS storage", ok: storageOk, detail: storage ? `${storage.storage} ${storage.used}/${storage.total} used` : "no answer", hint: storageOk ? undefined : "full storage stops reception: duegate reads and deletes stored messages at start" });
  } catch (e) {
    add({ name: "modem", ok: false, detail: isDuegateError(e) ? e.message : errorMessage(e) });
  } finally {
    await transport.close().catch(() => {});
  }
}

/** The profile whose `match.model` pattern matches what the modem says it is. */
async function suggestProfile(model: string): Promise<string | undefined> {
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

/** Pass/fail lines for a terminal. */
export function formatDoctor(report: { checks: DoctorCheck[] }): string {
  const lines: string[] = [];
  for (const c of report.checks) {
    lines.push(`${c.ok ? "[ ok ]" : "[FAIL]"} ${c.name}: ${c.detail}`);
    if (c.hint) lines.push(`       hint: ${c.hint}`);
  }
  const failed = report.checks.filter((c) => !c.ok).length;
  lines.push(failed === 0 ? "all checks passed" : `${failed} check(s) failed`);
  return lines.join("\n");
}
