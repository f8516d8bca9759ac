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
import { ate } from "../modem/at/commands/ate.js";
import { cmee } from "../modem/at/commands/cmee.js";
import { HINTS, modemChecks, type DoctorCheck } from "../modem/driver/diagnose.js";
import type { ModemProfile } from "../modem/driver/profile.js";
import { resolveTransport } from "../modem/transport/resolve.js";
import { portFailure } from "./port-failure.js";

export { maskImsi, type DoctorCheck } from "../modem/driver/diagnose.js";

export interface DoctorOptions {
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  logger: Logger;
  /** For port "sim": the simulator to diagnose (created if absent). */
  simulator?: ModemSimulator;
  /** The modem of the pool being tested (--modem-id), named in the report. */
  modemId?: string;
}

/** What was tested: a technician must never mistake the simulator for the modem. */
export interface DoctorTarget {
  port: string;
  modemId?: string;
  simulator: boolean;
}

export interface DoctorReport {
  target: DoctorTarget;
  checks: DoctorCheck[];
}

export async function runDoctor(opts: DoctorOptions): Promise<DoctorReport> {
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
      add({ name: "profile", ok: false, detail: errorMessage(e), hint: HINTS.profile });
      profile = await loadProfile("generic");
    }
    await checkModem(opts, profile, add);
  } finally {
    clearInterval(keepAlive);
  }
  return {
    target: { port: opts.port, ...(opts.modemId ? { modemId: opts.modemId } : {}), simulator: opts.port === "sim" },
    checks,
  };
}

async function checkPorts(opts: DoctorOptions, add: (c: DoctorCheck) => void): Promise<void> {
  const ports: PortInfo[] = await listPorts().catch(() => []);
  const names = ports.map(
    (p) => `${p.byId ?? p.path}${p.byId ? ` → ${p.path}` : ""}${p.vendorId ? ` [${p.vendorId}:${p.productId}]` : ""}`,
  );
  if (opts.port === "sim" || opts.port.startsWith("tcp://")) {
    add({
      name: "serial ports",
      ok: true,
      detail: `${opts.port === "sim" ? "built-in simulator" : opts.port}; ports on this machine: ${names.length ? names.join(", ") : "none"}`,
    });
    return;
  }
  const known = ports.some((p) => p.path === opts.port || p.byId === opts.port) || existsSync(opts.port);
  const seen = names.length ? names.join(", ") : "no USB serial ports found";
  add({
    name: "serial ports",
    ok: known,
    detail: known ? seen : `${opts.port}: no such file or device; ports on this machine: ${seen}`,
    hint: known ? undefined : HINTS.portMissing,
  });
}

async function checkModem(opts: DoctorOptions, profile: ModemProfile, add: (c: DoctorCheck) => void): Promise<void> {
  const sim = opts.port === "sim" ? (opts.simulator ?? new ModemSimulator()) : undefined;
  const t = profile.timeouts;
  let transport;
  try {
    transport = await resolveTransport({
      port: opts.port,
      baudRate: opts.baudRate,
      logger: opts.logger,
      usb: profile.match.usb,
      simulator: sim,
    })();
    add({ name: "port opens", ok: true, detail: transport.description });
  } catch (e) {
    const failure = portFailure(opts.port, e);
    add({ name: "port opens", ok: false, detail: failure.detail, hint: failure.hint });
    return;
  }
  const channel = new AtChannel({ clock: systemClock, logger: opts.logger });
  channel.attach(transport);
  const run = <R>(cmd: AtCommand<R>) => channel.execute(cmd);
  try {
    // Once AT answers: echo off and numeric errors, as the driver's init does.
    const afterAnswer = async () => {
      await run(ate(false, t.command)).catch(() => {});
      await run(cmee(1, t.command)).catch(() => {});
    };
    await modemChecks(
      run,
      profile,
      {
        atAttempts: 3,
        afterAnswer,
        where: opts.port === "sim" ? "the simulator" : opts.port,
        ...(opts.pin ? { pin: opts.pin } : {}),
      },
      add,
    );
  } catch (e) {
    add({ name: "modem", ok: false, detail: isDuegateError(e) ? e.message : errorMessage(e) });
  } finally {
    await transport.close().catch(() => {});
  }
}

/** What the report is about, in one line: the port, the pool member, or the simulator said plainly. */
export function describeTarget(t: DoctorTarget): string {
  const who = t.modemId ? `modem ${t.modemId} ` : "";
  return t.simulator
    ? `tested ${who}the built-in simulator, not a real modem (modem.port is sim): give --modem /dev/serial/by-id/... or --modem-id <id> to test a modem`
    : `tested ${who}on ${t.port}`;
}

/** Pass/fail lines for a terminal; the last line names the first failure and where it happened. */
export function formatDoctor(report: DoctorReport): string {
  const lines: string[] = [describeTarget(report.target)];
  for (const c of report.checks) {
    lines.push(`${c.ok ? "[ ok ]" : "[FAIL]"} ${c.name}: ${c.detail}`);
    if (c.hint) lines.push(`       hint: ${c.hint}`);
  }
  const failed = report.checks.filter((c) => !c.ok);
  const on = report.target.simulator ? " on the simulator, not a real modem" : "";
  lines.push(
    failed.length === 0
      ? `all checks passed${on}`
      : `${failed.length} check(s) failed${on}; the first: ${failed[0]!.name}: ${failed[0]!.detail}`,
  );
  return lines.join("\n");
}
