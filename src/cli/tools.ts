/**
 * The technician's one-shot verbs: doctor, send, pdu, backup, restore, config. Each returns
 * an exit code; expected failures print one clear line, never a stack trace.
 */
import { loadConfig } from "../config/load.js";
import type { Config } from "../config/schema.js";
import { createLogger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage, isDuegateError } from "../core/errors.js";
import { poolMembers, type PoolMemberSpec } from "../modem/pool/members.js";
import { maskSecrets } from "../config/settings-catalog.js";
import { flagOverrides } from "./options.js";
import { pduDecodeCommand, pduEncodeCommand } from "./pdu.js";
import { brokerExposure } from "../bridge/exposure.js";

function out(text: string): void {
  process.stdout.write(`${text}\n`);
}

function fail(e: unknown): number {
  console.error(isDuegateError(e) ? `duegate: ${e.message}` : `duegate: ${errorMessage(e)}`);
  // 78 (EX_CONFIG): systemd's unit does not restart on it, so a bad config does not loop.
  return isDuegateError(e) && e.code.startsWith("config.") ? 78 : 1;
}

function configFor(opts: Record<string, unknown>): Config {
  const strings = Object.fromEntries(
    Object.entries(opts).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  return loadConfig({ ...(strings.config ? { file: strings.config } : {}), overrides: flagOverrides(strings) }).config;
}

export async function doctorCommand(opts: Record<string, string | boolean | undefined>): Promise<number> {
  let config: Config;
  try {
    config = configFor(opts);
  } catch (e) {
    return fail(e);
  }
  const logger = createLogger({ level: "warn", pretty: true });
  let target: PoolMemberSpec;
  try {
    target = doctorTarget(config, opts);
  } catch (e) {
    return fail(e);
  }
  const { runDoctor, formatDoctor } = await import("./doctor.js");
  const report = await runDoctor({
    port: target.port,
    baudRate: target.baudRate,
    profile: target.profile,
    ...(target.pin ? { pin: target.pin } : {}),
    ...(typeof opts.modemId === "string" ? { modemId: target.id } : {}),
    logger,
  });
  // What the configuration leaves unsafe: warnings, not failures of the modem (the exit code stays the modem's).
  const { securityChecks } = await import("../system/security-warnings.js");
  const security = [...securityChecks(config), ...brokerChecks(config)];
  out(
    opts.json
      ? JSON.stringify({ ...report, security }, null, 2)
      : `${formatDoctor(report)}\n\nsecurity:\n${formatSecurity(security)}`,
  );
  return report.checks.every((c) => c.ok) ? 0 : 2;
}

/**
 * The modem to test: --modem PATH (a port, as given), --modem-id ID (a modem of the pool in
 * modems:, with its own port, profile and PIN), else the configured modem (the first of the pool).
 */
function doctorTarget(config: Config, opts: Record<string, string | boolean | undefined>): PoolMemberSpec {
  const members = poolMembers(config);
  if (typeof opts.modemId === "string") {
    if (typeof opts.modem === "string")
      throw new DuegateError(ErrorCode.ConfigInvalid, "give either --modem or --modem-id, not both", {
        flag: "--modem-id",
      });
    const m = members.find((x) => x.id === opts.modemId);
    if (!m)
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `--modem-id ${JSON.stringify(opts.modemId)}: no such modem; the configured modems are ${members.map((x) => x.id).join(", ")}`,
        { flag: "--modem-id" },
      );
    return m;
  }
  // --modem replaced modem.port (flagOverrides): that port, with the modem: section's settings.
  if (typeof opts.modem === "string") return poolMembers({ modem: config.modem, modems: [] })[0]!;
  // Else the configured modem: the one of modem:, or the first of the pool.
  return members[0]!;
}

function formatSecurity(checks: Array<{ name: string; ok: boolean; detail: string; hint?: string }>): string {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${c.ok ? "[ ok ]" : "[WARN]"} ${c.name}: ${c.detail}`);
    if (c.hint) lines.push(`       fix: ${c.hint}`);
  }
  const warned = checks.filter((c) => !c.ok).length;
  lines.push(warned === 0 ? "nothing left unsafe" : `${warned} warning(s): see the fixes above`);
  return lines.join("\n");
}

/** What the configuration leaves open on the embedded MQTT broker (src/bridge/exposure.ts), as doctor lines. */
function brokerChecks(config: Config): Array<{ name: string; ok: boolean; detail: string; hint?: string }> {
  if (config.mqtt.mode !== "embedded") return [];
  const warnings = brokerExposure(config);
  if (warnings.length === 0)
    return [
      {
        name: "MQTT broker",
        ok: true,
        detail: `logins required, plain MQTT on ${config.mqtt.embedded.host} only${config.mqtt.embedded.tls.enabled ? `, mqtts on port ${config.mqtt.embedded.tls.port}` : ""}`,
      },
    ];
  return warnings.map((w) => ({
    name: "MQTT broker",
    ok: false,
    detail: w.message,
    hint: `change ${w.key} (docs/security.md, MQTT broker)`,
  }));
}

export async function sendCommand(opts: Record<string, string | undefined>): Promise<number> {
  try {
    const config = configFor(opts);
    const logger = createLogger({ level: "warn", pretty: true });
    const { runSend } = await import("./send.js");
    const result = await runSend({
      port: config.modem.port,
      baudRate: config.modem.baudRate,
      profile: config.modem.profile,
      ...(config.modem.pin ? { pin: config.modem.pin } : {}),
      to: opts.to!,
      text: opts.text!,
      logger,
    });
    for (const p of result.parts) out(`part ${p.index}/${result.parts.length}: message reference ${p.reference}`);
    return 0;
  } catch (e) {
    return fail(e);
  }
}

export function pduDecodeJson(hex: string, smscPrefix: boolean): number {
  try {
    out(JSON.stringify(pduDecodeCommand(smscPrefix ? hex : `00${hex}`), null, 2));
    return 0;
  } catch (e) {
    return fail(e);
  }
}

export function pduEncodeJson(opts: {
  to: string;
  text: string;
  srr?: boolean;
  smsc?: string;
  locale?: string;
}): number {
  try {
    out(JSON.stringify(pduEncodeCommand(opts), null, 2));
    return 0;
  } catch (e) {
    return fail(e);
  }
}

export async function backupCommand(file: string, opts: Record<string, string | undefined>): Promise<number> {
  try {
    const config = configFor(opts);
    const { backup } = await import("../system/backup.js");
    const manifest = await backup(config.gateway.dataDir, file);
    out(`backup written to ${file}: ${manifest.files.length} files (${manifest.consistency} consistency)`);
    return 0;
  } catch (e) {
    return fail(e);
  }
}

export async function restoreCommand(
  file: string,
  opts: Record<string, string | boolean | undefined>,
): Promise<number> {
  try {
    const config = configFor(opts);
    const { restore } = await import("../system/backup.js");
    const report = await restore(file, config.gateway.dataDir, { force: opts.force === true });
    out(
      `restored ${report.files} files (${report.bytes} bytes) from a backup of ${report.createdAt}${report.previousDataDir ? `; the previous data is in ${report.previousDataDir}` : ""}`,
    );
    return 0;
  } catch (e) {
    return fail(e);
  }
}

export function configCommand(opts: Record<string, string | undefined>): number {
  try {
    const config = configFor(opts);
    out(JSON.stringify(maskSecrets(config, "[hidden]"), null, 2));
    return 0;
  } catch (e) {
    return fail(e);
  }
}
