/**
 * Files, sessions and HTTPS, tested from outside: the real service (createApp with its
 * default configuration, only a temporary data directory, a free port and the modem
 * simulator; or the `duegate` command itself) attacked with real clients: node:http and
 * node:https requests, a second loopback source address, headless Chromium, and local users'
 * view of the files (their modes).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { request as httpRequest } from "node:http";
import { X509Certificate } from "node:crypto";
import { chromium, type Browser } from "playwright-core";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { createLogger, silentLogger } from "../../src/core/log.js";
import { isDuegateError } from "../../src/core/errors.js";
import { freePort } from "../../src/cli/free-port.js";
import { ensureTlsIdentity } from "../../src/system/tls-certificate.js";
import { call, collect, countEntries, duegate, login, stopChild, wrongModes } from "./helpers.js";

const PASSWORD = "an admin password";
const CHROMIUM = "/usr/bin/chromium";

const dirs: string[] = [];
function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The default configuration, with only what a test machine needs changed. */
async function startApp(http: Record<string, unknown> = {}, dataDir = tempDir("duegate-sec-")): Promise<App> {
  const config = validateConfig({
    gateway: { dataDir },
    modem: { port: "sim" },
    http: { listen: "127.0.0.1:0", adminPassword: PASSWORD, ...http },
  });
  const app = await createApp(config, { logger: silentLogger(), mqtt: false });
  await app.start();
  return app;
}

/** This machine's own LAN address (IPv4, not loopback), if it has one. */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

describe("the data directory is private whatever the umask", () => {
  it("the service started under umask 022 leaves every folder 0700 and every file 0600", async () => {
    const dataDir = join(tempDir("duegate-umask-cli-"), "data");
    const port = await freePort("127.0.0.1", 0);
    const child = duegate(
      ["run", "--data", dataDir, "--http", `127.0.0.1:${port}`, "--mqtt", "off", "--modem", "sim"],
      { umask: "022", env: { DUEGATE_HTTP__ADMIN_PASSWORD: PASSWORD } },
    );
    const { out, exited } = collect(child);
    try {
      const base = `http://127.0.0.1:${port}`;
      let up = false;
      for (let i = 0; i < 300 && !up && child.exitCode === null; i++) {
        up = await call(`${base}/health`).then(
          (r) => r.status === 200,
          () => false,
        );
        if (!up) await new Promise((r) => setTimeout(r, 100));
      }
      expect(up, out()).toBe(true);
      // Writes through the panel: a session (auth.json) and a setting with a secret (settings.yaml).
      const { cookie, csrf } = await login(base, "admin", PASSWORD);
      const saved = await call(`${base}/api/v1/settings`, {
        method: "PATCH",
        headers: { cookie, "x-csrf-token": csrf },
        body: { "gateway.companyName": "Umask Ltd", "mqtt.password": "a broker secret" },
      });
      expect(saved.status, saved.body).toBe(200);
    } finally {
      await stopChild(child, exited);
    }
    expect(existsSync(join(dataDir, "settings.yaml"))).toBe(true);
    expect(countEntries(dataDir)).toBeGreaterThan(5);
    expect(wrongModes(dataDir)).toEqual([]);
  }, 90_000);

  it("the stores write 0600/0700 themselves, in a process that keeps umask 022 (createApp, HTTPS, MQTT journal, settings)", async () => {
    const dataDir = join(tempDir("duegate-umask-lib-"), "data");
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "test/security/fixtures/umask-app.ts", dataDir],
        { timeout: 60_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
    expect(result.code, result.out).toBe(0);
    expect(existsSync(join(dataDir, "tls", "duegate.key"))).toBe(true);
    expect(existsSync(join(dataDir, "settings.yaml"))).toBe(true);
    expect(wrongModes(dataDir)).toEqual([]);
  }, 90_000);

  it("refuses to start in a data directory other users can read, naming the path, the mode and the fix", async () => {
    const dataDir = tempDir("duegate-open-");
    chmodSync(dataDir, 0o755);
    const child = duegate(["run", "--data", dataDir, "--http", "127.0.0.1:0", "--mqtt", "off", "--modem", "sim"]);
    const { out, exited } = collect(child);
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 45_000))]);
    if (code === null) await stopChild(child, exited);
    // 78 (EX_CONFIG): systemd does not restart it in a loop.
    expect(code, out()).toBe(78);
    expect(out()).toContain(`data directory ${dataDir} has mode 0755`);
    expect(out()).toContain(`chmod 700 ${dataDir}`);
    // Nothing was written into it.
    expect(existsSync(join(dataDir, "auth.json"))).toBe(false);
  }, 60_000);

  it("refuses a group-writable data directory in-process too, and creates a missing one 0700", async () => {
    const open = tempDir("duegate-group-");
    chmodSync(open, 0o770);
    const config = validateConfig({ gateway: { dataDir: open }, modem: { port: "sim" } });
    const e = await createApp(config, { logger: silentLogger(), mqtt: false, http: false }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isDuegateError(e) && e.code).toBe("config.data_dir_unsafe");
    expect((e as Error).message).toContain("0770");

    const fresh = join(tempDir("duegate-fresh-"), "new", "data");
    const app = await startApp({}, fresh);
    await app.stop();
    expect(statSync(fresh).mode & 0o777).toBe(0o700);
  });
});

describe("logout ends the session everywhere", () => {
  let app: App;
  let base: string;
  beforeAll(async () => {
    app = await startApp();
    base = app.httpUrl!;
  });
  afterAll(async () => app?.stop());

  it("a copy of the cookie taken before logout gets 401 afterwards", async () => {
    const { cookie, csrf } = await login(base, "admin", PASSWORD);
    const copy = cookie;
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: copy } })).status).toBe(200);
    const out = await call(`${base}/api/v1/logout`, { method: "POST", headers: { cookie, "x-csrf-token": csrf } });
    expect(out.status).toBe(204);
    const me = await call(`${base}/api/v1/me`, { headers: { cookie: copy } });
    expect(me.status).toBe(401);
    expect(me.json()).toMatchObject({ error: { code: "auth.unauthorized" } });
    // Nor can the copy do anything else, with or without its CSRF token.
    expect((await call(`${base}/api/v1/users`, { headers: { cookie: copy } })).status).toBe(401);
    expect(
      (
        await call(`${base}/api/v1/users`, {
          method: "POST",
          headers: { cookie: copy, "x-csrf-token": csrf },
          body: { name: "mallory", role: "admin", password: "mallory's password" },
        })
      ).status,
    ).toBe(401);
  });

  it("an event stream opened with the cookie ends after logout", async () => {
    const { cookie, csrf } = await login(base, "admin", PASSWORD);
    const u = new URL(`${base}/api/v1/live`);
    let received = "";
    const ended = new Promise<boolean>((resolve) => {
      const req = httpRequest(
        { host: u.hostname, port: u.port, path: u.pathname, headers: { cookie }, agent: false },
        (res) => {
          expect(res.statusCode).toBe(200);
          res.on("data", (c: Buffer) => (received += c.toString()));
          res.on("end", () => resolve(true));
          res.on("error", () => resolve(true));
        },
      );
      req.on("error", () => resolve(true));
      req.end();
      setTimeout(() => {
        req.destroy();
        resolve(false);
      }, 20_000);
    });
    for (let i = 0; i < 100 && !received.includes("snapshot"); i++) await new Promise((r) => setTimeout(r, 50));
    expect(received).toContain("event: snapshot");
    expect(
      (await call(`${base}/api/v1/logout`, { method: "POST", headers: { cookie, "x-csrf-token": csrf } })).status,
    ).toBe(204);
    expect(await ended).toBe(true);
  }, 30_000);

  it("a password change ends the user's other sessions; removing a user ends theirs", async () => {
    const admin = await login(base, "admin", PASSWORD);
    const made = await call(`${base}/api/v1/users`, {
      headers: { cookie: admin.cookie, "x-csrf-token": admin.csrf },
      body: { name: "clerk", role: "viewer", password: "clerk password 1" },
    });
    expect(made.status).toBe(201);
    const laptop = await login(base, "clerk", "clerk password 1");
    const phone = await login(base, "clerk", "clerk password 1");
    const changed = await call(`${base}/api/v1/me/password`, {
      headers: { cookie: laptop.cookie, "x-csrf-token": laptop.csrf },
      body: { current: "clerk password 1", password: "clerk password 2" },
    });
    expect(changed.status).toBe(200);
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: phone.cookie } })).status).toBe(401);
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: laptop.cookie } })).status).toBe(401);
    const renewed = await login(base, "clerk", "clerk password 2");
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: renewed.cookie } })).status).toBe(200);
    expect(
      (
        await call(`${base}/api/v1/users/clerk`, {
          method: "DELETE",
          headers: { cookie: admin.cookie, "x-csrf-token": admin.csrf },
        })
      ).status,
    ).toBe(204);
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: renewed.cookie } })).status).toBe(401);
  });

  it("a session survives a restart of the service, a logged-out one does not come back", async () => {
    const kept = await login(base, "admin", PASSWORD);
    const ended = await login(base, "admin", PASSWORD);
    await call(`${base}/api/v1/logout`, {
      method: "POST",
      headers: { cookie: ended.cookie, "x-csrf-token": ended.csrf },
    });
    const dataDir = app.services.config.gateway.dataDir;
    await app.stop();
    app = await startApp({}, dataDir);
    base = app.httpUrl!;
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: kept.cookie } })).status).toBe(200);
    expect((await call(`${base}/api/v1/me`, { headers: { cookie: ended.cookie } })).status).toBe(401);
  });
});

describe("login throttling never locks out a correct password from an address that has not failed", () => {
  it("an attacker failing from 127.0.0.2 does not make the admin on 127.0.0.1 wait", async () => {
    const app = await startApp();
    try {
      const base = app.httpUrl!;
      const codes: number[] = [];
      for (let i = 0; i < 7; i++)
        codes.push((await login(base, "admin", `wrong guess ${i}`, { localAddress: "127.0.0.2" })).reply.status);
      expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
      expect(codes.slice(5)).toEqual([429, 429]);
      // The right password from the attacker's address is refused while it is locked...
      expect((await login(base, "admin", PASSWORD, { localAddress: "127.0.0.2" })).reply.status).toBe(429);
      // ...and accepted at once from the admin's own address.
      const admin = await login(base, "admin", PASSWORD, { localAddress: "127.0.0.1" });
      expect(admin.reply.status).toBe(200);
      expect(admin.cookie).not.toBe("");
    } finally {
      await app.stop();
    }
  });
});

const lan = lanAddress();
describe.skipIf(!lan)("HTTPS on a LAN address", () => {
  let app: App;
  let cert: string;
  beforeAll(async () => {
    if (!lan) console.warn("[security] no LAN address on this machine: HTTPS tests skipped");
    // Default http.tls (auto), a LAN address: HTTPS without being asked.
    app = await startApp({ listen: `${lan}:0`, redirectFrom: `${lan}:0` });
    cert = readFileSync(join(app.services.config.gateway.dataDir, "tls", "duegate.crt"), "utf8");
  });
  afterAll(async () => app?.stop());

  it("serves the panel and API over HTTPS with the appliance's certificate, whose fingerprint it reports", async () => {
    expect(app.httpUrl).toMatch(/^https:\/\//);
    expect(app.httpsFingerprint).toBe(new X509Certificate(cert).fingerprint256);
    // Verified as a browser would (the self-signed certificate as the only CA, the LAN address in its names) and pinned.
    const health = await call(`${app.httpUrl}/health`, { ca: cert });
    expect(health.status).toBe(200);
    expect(health.fingerprint256).toBe(app.httpsFingerprint);
    const page = await call(`${app.httpUrl}/login`, { ca: cert });
    expect(page.status).toBe(200);
    expect(page.headers["strict-transport-security"]).toMatch(/max-age=\d+/);
  });

  it("marks the session cookie Secure", async () => {
    const { reply, cookie } = await login(app.httpUrl!, "admin", PASSWORD, { ca: cert });
    expect(reply.status).toBe(200);
    const setCookie = (reply.headers["set-cookie"] ?? []).find((c) => c.startsWith("duegate_session="));
    expect(setCookie).toMatch(/;\s*Secure/i);
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect((await call(`${app.httpUrl}/api/v1/me`, { ca: cert, headers: { cookie } })).status).toBe(200);
  });

  it("speaks no plain HTTP on the HTTPS port", async () => {
    const plain = app.httpUrl!.replace(/^https:/, "http:");
    const r = await call(`${plain}/api/v1/login`, { body: { name: "admin", password: PASSWORD } }).then(
      (res) => res.status,
      () => "refused",
    );
    // Node's TLS server answers a plain request with 400 and no panel, or drops it.
    expect(r === "refused" || r === 400).toBe(true);
  });

  it("refuses a client that pins another certificate", async () => {
    const other = await ensureTlsIdentity({ dataDir: tempDir("duegate-other-cert-") });
    await expect(call(`${app.httpUrl}/health`, { ca: other.cert })).rejects.toThrow(
      /self.signed|unable to verify|certificate/i,
    );
  });

  it("the plain-HTTP listener only redirects to HTTPS, keeping the path (308)", async () => {
    expect(app.redirectUrl).toMatch(/^http:\/\//);
    const httpsPort = new URL(app.httpUrl!).port;
    const r = await call(`${app.redirectUrl}/login?next=/messages`);
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://${lan}:${httpsPort}/login?next=/messages`);
    // A login sent to it in clear is not served, only redirected.
    const post = await call(`${app.redirectUrl}/api/v1/login`, { body: { name: "admin", password: PASSWORD } });
    expect(post.status).toBe(308);
    expect(post.headers["set-cookie"]).toBeUndefined();
    // A hostile Host header or absolute-form target cannot point the redirect elsewhere.
    const hostile = await call(`${app.redirectUrl}/x`, { headers: { host: "evil.example/@x" } });
    expect(hostile.headers.location).toBe(`https://${lan}:${httpsPort}/x`);
  });

  it("logs the certificate's fingerprint at start, and warns loudly when told to serve plain HTTP on the LAN", async () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: "info",
      pretty: false,
      destination: { write: (l: string) => (lines.push(l), true) },
    });
    const start = async (http: Record<string, unknown>) => {
      const config = validateConfig({
        gateway: { dataDir: tempDir("duegate-sec-log-") },
        modem: { port: "sim" },
        http: { adminPassword: PASSWORD, ...http },
      });
      const a = await createApp(config, { logger, mqtt: false });
      await a.start();
      return a;
    };
    const secure = await start({ listen: `${lan}:0` });
    const fingerprint = secure.httpsFingerprint!;
    await secure.stop();
    const listening = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.msg === "web panel and API listening over HTTPS");
    expect(listening).toMatchObject({ fingerprint256: fingerprint, certificate: "generated" });
    lines.length = 0;
    const plain = await start({ listen: `${lan}:0`, tls: "off" });
    expect(plain.httpUrl).toMatch(/^http:\/\//);
    await plain.stop();
    expect(lines.some((l) => /"level":40.*unsafe: .*plain HTTP on the LAN/.test(l))).toBe(true);
  });

  it("stays plain HTTP on loopback by default (auto)", async () => {
    const local = await startApp();
    try {
      expect(local.httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:/);
      expect(local.httpsFingerprint).toBeUndefined();
    } finally {
      await local.stop();
    }
  });
});

const haveChromium = existsSync(CHROMIUM);
describe.skipIf(!haveChromium && process.env.CI !== "true")(
  "after login, ?next= goes only to a local path (Chromium)",
  () => {
    let app: App;
    let browser: Browser;
    beforeAll(async () => {
      app = await startApp();
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
      });
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
      await app?.stop();
    });

    for (const next of [
      "/%5Cevil.example",
      "/%09/evil.example",
      "//evil.example",
      "/%2F%2Fevil.example",
      "javascript:alert(document.domain)",
      "https://evil.example/",
    ]) {
      it(`stays on the appliance for next=${next}`, async () => {
        const context = await browser.newContext();
        const page = await context.newPage();
        const offsite: string[] = [];
        // Nothing may leave loopback: a navigation elsewhere is recorded and aborted.
        await page.route(/.*/, (route) => {
          const url = new URL(route.request().url());
          if (url.hostname !== "127.0.0.1") {
            offsite.push(route.request().url());
            return route.abort();
          }
          return route.continue();
        });
        const dialogs: string[] = [];
        page.on("dialog", (d) => {
          dialogs.push(d.message());
          void d.dismiss();
        });
        try {
          await page.goto(`${app.httpUrl}/login?next=${next}`);
          await page.getByLabel("User name").fill("admin");
          await page.getByLabel("Password").fill(PASSWORD);
          await page.getByRole("button", { name: "Log in" }).click();
          await page.waitForURL((u) => !u.pathname.startsWith("/login"), { timeout: 15_000 }).catch(() => undefined);
          await page.waitForLoadState("load").catch(() => undefined);
          expect(offsite).toEqual([]);
          expect(dialogs).toEqual([]);
          expect(new URL(page.url()).origin).toBe(app.httpUrl);
        } finally {
          await context.close();
        }
      }, 45_000);
    }
  },
);

describe("duegate doctor says what is left unsafe", () => {
  function doctor(config: string): Promise<{ code: number; out: string }> {
    const file = join(tempDir("duegate-doctor-cfg-"), "duegate.yaml");
    writeFileSync(file, config);
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        ["--import", "tsx", "src/main.ts", "doctor", "--config", file],
        { timeout: 60_000, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp" } },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
      );
    });
  }

  it("warns about an open data directory, open files and plain HTTP on the LAN", async () => {
    const dataDir = tempDir("duegate-doctor-open-");
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, "auth.json"), "{}", { mode: 0o644 });
    chmodSync(join(dataDir, "auth.json"), 0o644);
    const r = await doctor(
      `gateway:\n  dataDir: ${dataDir}\nmodem:\n  port: sim\nhttp:\n  listen: 0.0.0.0:8080\n  tls: "off"\n`,
    );
    expect(r.out).toMatch(/\[WARN\] data directory: .*mode 0755/);
    expect(r.out).toContain(`fix: chmod 700 ${dataDir}`);
    expect(r.out).toMatch(/\[WARN\] data files: .*auth\.json \(0644\)/);
    expect(r.out).toMatch(/\[WARN\] web panel: 0\.0\.0\.0:8080: plain HTTP on the LAN/);
  }, 60_000);

  it("shows the TLS fingerprint and nothing unsafe for a private data directory with HTTPS", async () => {
    const dataDir = tempDir("duegate-doctor-ok-");
    const identity = await ensureTlsIdentity({ dataDir });
    const r = await doctor(`gateway:\n  dataDir: ${dataDir}\nmodem:\n  port: sim\nhttp:\n  listen: 0.0.0.0:8443\n`);
    expect(r.out).toContain(`SHA-256 ${identity.fingerprint256}`);
    expect(r.out).toMatch(/\[ ok \] web panel: 0\.0\.0\.0:8443: HTTPS on the LAN/);
    expect(r.out).toContain("nothing left unsafe");
  }, 60_000);
});
