/**
 * The log of a real appliance (createApp with the default configuration, the HTTP server on a
 * loopback port, a real client with a session): a change made in the panel leaves an audit line
 * at info naming who did what, while ordinary requests, refused ones and a scanner's 404s leave
 * nothing at the default level. The HTTP server used to log at warn only, so the audit lines
 * the routes wrote were dropped.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { createLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";

const ADMIN_PASSWORD = "an audit admin password";

describe("HTTP log: audit lines for panel actions, no line per request", () => {
  let app: App;
  let dataDir: string;
  const lines: Array<Record<string, unknown>> = [];
  let cookie = "";
  let csrf = "";

  const call = async (method: string, path: string, body?: unknown, session = true) => {
    const r = await fetch(`${app.httpUrl}${path}`, {
      method,
      headers: {
        ...(session ? { cookie, "x-csrf-token": csrf } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    await r.arrayBuffer();
    return r.status;
  };
  const httpLines = () => lines.filter((l) => l.subsystem === "http");

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-audit-log-"));
    // The defaults, but for the data directory, the simulated modem, a free loopback port and a known admin password.
    const config = validateConfig({
      gateway: { dataDir },
      modem: { port: "sim" },
      http: { listen: "127.0.0.1:0", adminPassword: ADMIN_PASSWORD },
      mqtt: { mode: "off" },
    });
    const logger = createLogger({
      level: config.log.level,
      pretty: false,
      destination: {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
          return true;
        },
      },
    });
    app = await createApp(config, { simulator: new ModemSimulator(), logger });
    await app.start();
    const res = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: ADMIN_PASSWORD }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    csrf = ((await res.json()) as { csrfToken: string }).csrfToken;
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("runs at the service's default level, info", () => {
    expect(validateConfig({}).log.level).toBe("info");
  });

  it("writes who changed the settings and who sent a test SMS, at info", async () => {
    expect(await call("PATCH", "/api/v1/settings", { "dunning.graceDays": 5 })).toBe(200);
    expect(await call("POST", "/api/v1/test-messages", { to: "+4915123400077", text: "test" })).toBe(201);
    const audit = httpLines().filter((l) => typeof l.event === "string");
    expect(audit.map((l) => [l.event, l.by, l.level])).toEqual([
      ["panel.settings", "admin", 30],
      ["panel.test_sms", "admin", 30],
    ]);
    expect(audit[0]).toMatchObject({ keys: ["dunning.graceDays"], msg: "settings changed in the panel" });
    // the request's id ties the line to the request
    expect(audit.every((l) => typeof l.reqId === "string")).toBe(true);
  });

  it("writes nothing for ordinary, refused and unknown requests", async () => {
    const before = httpLines().length;
    expect(await call("GET", "/api/v1/today")).toBe(200);
    expect(await call("GET", "/api/v1/today", undefined, false)).toBe(401);
    expect(await call("GET", "/wp-login.php", undefined, false)).toBe(404);
    expect(await call("GET", "/api/v1/nothing-here")).toBe(404);
    expect(await call("PATCH", "/api/v1/settings", { "dunning.graceDays": "many" })).toBe(400);
    expect(httpLines().slice(before)).toEqual([]);
  });
});
