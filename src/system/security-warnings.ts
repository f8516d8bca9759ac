/**
 * What the configuration and the machine leave unsafe, for `duegate doctor` and the start-up
 * log: one list of checks, each with what is wrong and the fix. Each part of the appliance
 * adds its own function to SECURITY_CHECKS below (the data directory and the web panel here;
 * the MQTT broker's checks belong beside them: anonymous access, plain listener on the LAN).
 */
import { X509Certificate } from "node:crypto";
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Config } from "../config/schema.js";
import { httpsEnabled } from "./tls-policy.js";
import { parseListen } from "../config/listen.js";
import { errorMessage } from "../core/errors.js";
import { isLoopbackHost } from "./network-address.js";
import { octal } from "./data-dir.js";
import { tlsDir } from "./tls-certificate.js";

export interface SecurityCheck {
  name: string;
  /** false: something is left unsafe (a warning; the service still runs unless it refuses on its own). */
  ok: boolean;
  detail: string;
  /** The fix, as a command or a config key. */
  hint?: string;
}

export type SecurityCheckSource = (config: Config, dataDir: string) => SecurityCheck[];

/** Files looked at in the data directory; a larger tree is reported as partly checked. */
const MAX_FILES_CHECKED = 20_000;

export const SECURITY_CHECKS: readonly SecurityCheckSource[] = [dataDirChecks, httpChecks];

export function securityChecks(config: Config, dataDir = resolve(config.gateway.dataDir)): SecurityCheck[] {
  return SECURITY_CHECKS.flatMap((source) => source(config, dataDir));
}

/** The data directory 0700 and every file in it readable by the service alone. */
export function dataDirChecks(_config: Config, dataDir: string): SecurityCheck[] {
  if (!existsSync(dataDir))
    return [
      {
        name: "data directory",
        ok: true,
        detail: `${dataDir} does not exist yet; the service creates it 0700 at first start`,
      },
    ];
  const st = statSync(dataDir);
  const checks: SecurityCheck[] = [];
  if (st.mode & 0o077) {
    checks.push({
      name: "data directory",
      ok: false,
      detail: `${dataDir} has mode ${octal(st.mode)}: other local users can reach the users' password hashes and the session key (the service refuses to start like this)`,
      hint: `chmod 700 ${dataDir}`,
    });
  } else checks.push({ name: "data directory", ok: true, detail: `${dataDir} is ${octal(st.mode)}` });
  if (process.getuid && st.uid !== process.getuid() && process.getuid() !== 0)
    checks.push({
      name: "data directory owner",
      ok: false,
      detail: `${dataDir} belongs to uid ${st.uid}, not to this user (uid ${process.getuid()})`,
      hint: "run duegate doctor as the service's user, or with sudo",
    });
  const open = openFiles(dataDir);
  if (open.files.length > 0) {
    const shown = open.files
      .slice(0, 5)
      .map((f) => `${f.path} (${octal(f.mode)})`)
      .join(", ");
    checks.push({
      name: "data files",
      ok: false,
      detail: `${open.files.length} file(s) or folder(s) readable or writable by others: ${shown}${open.files.length > 5 ? ", ..." : ""}`,
      hint: `chmod -R go-rwx ${dataDir}`,
    });
  } else
    checks.push({
      name: "data files",
      ok: true,
      detail: `${open.checked} file(s) readable by the owner alone${open.partial ? ` (first ${MAX_FILES_CHECKED} checked)` : ""}`,
    });
  return checks;
}

/** HTTPS on a LAN address, and the certificate's fingerprint for clients to pin. */
export function httpChecks(config: Config, dataDir: string): SecurityCheck[] {
  const checks: SecurityCheck[] = [];
  let host: string;
  try {
    host = parseListen(config.http.listen).host;
  } catch (e) {
    return [{ name: "web panel", ok: false, detail: errorMessage(e) }];
  }
  const https = httpsEnabled(config.http);
  if (isLoopbackHost(host))
    checks.push({
      name: "web panel",
      ok: true,
      detail: `${config.http.listen}: reachable from this machine only${https ? ", over HTTPS" : ""}`,
    });
  else if (https)
    checks.push({
      name: "web panel",
      ok: true,
      detail: `${config.http.listen}: HTTPS on the LAN${config.http.redirectFrom ? `; ${config.http.redirectFrom} redirects plain HTTP to it` : ""}`,
    });
  else
    checks.push({
      name: "web panel",
      ok: false,
      detail: `${config.http.listen}: plain HTTP on the LAN (http.tls: off): passwords, session cookies and debtors' data cross the network in clear`,
      hint: "set http.tls: auto (the default) or on",
    });
  if (!https && config.http.secureCookies)
    checks.push({
      name: "web panel cookies",
      ok: true,
      detail: "http.secureCookies: on (a TLS proxy is expected in front of duegate)",
    });
  const cert = peekCertificate(config, dataDir);
  if (cert.fingerprint256)
    checks.push({
      name: "TLS certificate",
      ok: true,
      detail: `${cert.path}, SHA-256 ${cert.fingerprint256}, valid until ${cert.notAfter}`,
    });
  else if (cert.problem)
    checks.push({
      name: "TLS certificate",
      ok: !https,
      detail: cert.problem,
      ...(https ? { hint: "check http.certFile and http.keyFile" } : {}),
    });
  else
    checks.push({
      name: "TLS certificate",
      ok: true,
      detail: https
        ? "not generated yet: created at first start, its fingerprint is logged then"
        : "none (HTTPS is off)",
    });
  return checks;
}

/** The certificate the panel serves, read without generating one (doctor may run as root). */
function peekCertificate(
  config: Config,
  dataDir: string,
): { path?: string; fingerprint256?: string; notAfter?: string; problem?: string } {
  const path = config.http.certFile || join(tlsDir(dataDir), "duegate.crt");
  if (!existsSync(path)) return config.http.certFile ? { path, problem: `${path} (http.certFile) does not exist` } : {};
  try {
    const x509 = new X509Certificate(readFileSync(path));
    return { path, fingerprint256: x509.fingerprint256, notAfter: new Date(x509.validTo).toISOString() };
  } catch (e) {
    return { path, problem: `${path} is not a readable PEM certificate (${errorMessage(e)})` };
  }
}

function openFiles(dir: string): { files: Array<{ path: string; mode: number }>; checked: number; partial: boolean } {
  const files: Array<{ path: string; mode: number }> = [];
  let checked = 0;
  const pending = [dir];
  while (pending.length > 0 && checked < MAX_FILES_CHECKED) {
    const current = pending.pop()!;
    let names: string[];
    try {
      names = readdirSync(current);
    } catch {
      continue;
    }
    for (const name of names) {
      if (checked >= MAX_FILES_CHECKED) break;
      const path = join(current, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      if (st.isSymbolicLink()) continue;
      checked++;
      if (st.mode & 0o077) files.push({ path, mode: st.mode });
      if (st.isDirectory()) pending.push(path);
    }
  }
  return { files, checked, partial: checked >= MAX_FILES_CHECKED };
}
