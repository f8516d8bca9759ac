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

export { maskImsi, type DoctorCheck } from "../modem/driver/diagnose.js";

export interface DoctorOptions {
  port: string;
  baudRate: number;
  profile: string;
  pin?: string;
  logger: Logger;
  /** For port "sim": the simulator to diagnose (created if absent). */
  simulator?: ModemSimulator;
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
      add({ name: "profile", ok: false, detail: errorMessage(e), hint: HINTS.profile });
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
  add({
    name: "serial ports",
    ok: known,
    detail: names.length ? names.join(", ") : "no USB serial ports found",
    hint: known ? undefined : `${opts.port} ${HINTS.portMissing}`,
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
    add({ name: "port opens", ok: false, detail: errorMessage(e), hint: HINTS.portBusy });
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
    await modemChecks(run, profile, { atAttempts: 3, afterAnswer, ...(opts.pin ? { pin: opts.pin } : {}) }, add);
  } catch (e) {
    add({ name: "modem", ok: false, detail: isDuegateError(e) ? e.message : errorMessage(e) });
  } finally {
    await transport.close().catch(() => {});
  }
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
