/**
 * Real clients for the outsider tests: node:http / node:https requests (optionally from a
 * chosen loopback source address, optionally pinned to a certificate), the `duegate` command
 * as a child process, and a walk of the data directory's modes.
 */
import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import { spawn, type ChildProcess } from "node:child_process";
import { lstatSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** SHA-256 fingerprint of the server's certificate (HTTPS only). */
  fingerprint256?: string;
  json<T = Record<string, unknown>>(): T;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: unknown;
  /** PEM the server's certificate must chain to (a self-signed certificate is its own CA). */
  ca?: string;
  /** Source address of the connection (127.0.0.2 is another client on loopback). */
  localAddress?: string;
  servername?: string;
}

export function call(url: string, opts: CallOptions = {}): Promise<Reply> {
  const u = new URL(url);
  const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(body ? { "content-type": "application/json" } : {}), ...opts.headers };
  const secure = u.protocol === "https:";
  return new Promise((resolve, reject) => {
    const req = (secure ? httpsRequest : httpRequest)(
      {
        host: u.hostname.replace(/^\[|\]$/g, ""),
        port: u.port,
        path: `${u.pathname}${u.search}`,
        method: opts.method ?? (body ? "POST" : "GET"),
        headers,
        timeout: 10_000,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        ...(secure
          ? { ca: opts.ca, rejectUnauthorized: true, ...(opts.servername ? { servername: opts.servername } : {}) }
          : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        const fingerprint256 = secure ? (res.socket as TLSSocket).getPeerCertificate().fingerprint256 : undefined;
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            ...(fingerprint256 ? { fingerprint256 } : {}),
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout: ${url}`)));
    req.on("error", reject);
    req.end(body);
  });
}

/** The session cookie (name=value) from a Set-Cookie header list. */
export function sessionCookie(headers: IncomingHttpHeaders): string {
  const all = headers["set-cookie"] ?? [];
  return all.find((c) => c.startsWith("duegate_session="))?.split(";")[0] ?? "";
}

export async function login(
  base: string,
  name: string,
  password: string,
  opts: CallOptions = {},
): Promise<{ cookie: string; csrf: string; reply: Reply }> {
  const reply = await call(`${base}/api/v1/login`, { ...opts, body: { name, password } });
  if (reply.status !== 200) return { cookie: "", csrf: "", reply };
  return { cookie: sessionCookie(reply.headers), csrf: reply.json<{ csrfToken: string }>().csrfToken, reply };
}

/** `duegate <args>` through tsx, as `npm run duegate --` runs it; `umask` sets the shell's umask first. */
export function duegate(args: string[], opts: { env?: Record<string, string>; umask?: string } = {}): ChildProcess {
  const env = { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...opts.env };
  const node = [process.execPath, "--import", "tsx", "src/main.ts", ...args];
  if (!opts.umask) return spawn(node[0]!, node.slice(1), { env, stdio: ["ignore", "pipe", "pipe"] });
  // The shell sets the umask and execs node, so that the service inherits it as from a login shell.
  return spawn("/bin/sh", ["-c", `umask ${opts.umask} && exec "$@"`, "sh", ...node], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function collect(child: ChildProcess): { out: () => string; exited: Promise<number | null> } {
  let text = "";
  child.stdout?.on("data", (c: Buffer) => (text += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (text += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { out: () => text, exited };
}

/** Stops a child: SIGTERM, then SIGKILL after `ms`. */
export async function stopChild(
  child: ChildProcess,
  exited: Promise<number | null>,
  ms = 15_000,
): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), ms);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Every entry under dir (dir included) whose mode is not 0700 (folders) or 0600 (files). */
export function wrongModes(dir: string): string[] {
  const wrong: string[] = [];
  const visit = (path: string) => {
    const st = lstatSync(path);
    const mode = st.mode & 0o777;
    if (st.isDirectory()) {
      if (mode !== 0o700) wrong.push(`${path} ${mode.toString(8)}`);
      for (const name of readdirSync(path)) visit(join(path, name));
    } else if (!st.isSymbolicLink() && mode !== 0o600) wrong.push(`${path} ${mode.toString(8)}`);
  };
  visit(dir);
  return wrong;
}

export function countEntries(dir: string): number {
  let n = 0;
  const visit = (path: string) => {
    n++;
    if (lstatSync(path).isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return n;
}
