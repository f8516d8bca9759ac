/**
 * The HTTP API attacked from outside: the real service (createApp with its default
 * configuration on a temp data dir, the modem simulator, MQTT off, HTTP on a free loopback
 * port) and real clients (fetch, node:http with a forged Host, the CLI spawned against an
 * occupied port). Each test names the defence it shows; docs/security.md, "HTTP API".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { createServer, type Server } from "node:net";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createApp, type App } from "../../src/app.js";
import { validateConfig } from "../../src/config/load.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { isLoopback } from "../../src/http/metrics-route.js";

const ADMIN_PASSWORD = "outsider test admin 2026";

interface Running {
  app: App;
  url: string;
  port: number;
  sim: ModemSimulator;
  dataDir: string;
  key(scopes: Array<"read" | "write" | "policy" | "metrics">): Promise<string>;
  stop(): Promise<void>;
}

/** The service as `duegate run` starts it, with only what a test needs set: where, which port, the admin password. */
async function start(http: Record<string, unknown> = {}): Promise<Running> {
  const dataDir = mkdtempSync(join(tmpdir(), "duegate-sec-api-"));
  const config = validateConfig({
    gateway: { dataDir },
    modem: { port: "sim" },
    mqtt: { mode: "off" },
    http: { listen: "127.0.0.1:0", adminPassword: ADMIN_PASSWORD, ...http },
  });
  const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 20 });
  const app = await createApp(config, { simulator: sim, logger: silentLogger() });
  await app.start();
  const url = app.httpUrl!;
  return {
    app,
    url,
    port: Number(new URL(url).port),
    sim,
    dataDir,
    // As an administrator makes them in the panel (Settings, API keys).
    key: async (scopes) => (await app.services.auth.createApiKey(`test ${scopes.join("+")}`, scopes)).key,
    async stop() {
      await app.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A raw HTTP/1.1 request, for what fetch will not send (a forged Host) or where it comes from (localAddress). */
function raw(
  url: string,
  opts: { method?: string; path: string; headers?: Record<string, string>; localAddress?: string; body?: string },
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: u.hostname,
        port: u.port,
        method: opts.method ?? "GET",
        path: opts.path,
        headers: opts.headers ?? {},
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
        timeout: 15_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error("request timed out")));
    req.on("error", reject);
    req.end(opts.body);
  });
}

describe("rate limit: http.rateLimitPerMinute per client address, on every API, panel data and page route", () => {
  let s: Running;
  beforeAll(async () => {
    s = await start();
  }, 60_000);
  afterAll(async () => s?.stop());

  it("answers the request over the default 600 a minute with 429, the headers and the API's error shape", async () => {
    const read = await s.key(["read"]);
    const limit = s.app.services.config.http.rateLimitPerMinute;
    expect(limit).toBe(600);
    const statuses: number[] = [];
    let lastRemaining = "";
    // 600 requests, 20 at a time: all within the budget.
    for (let sent = 0; sent < limit; sent += 20) {
      const answers = await Promise.all(
        Array.from({ length: Math.min(20, limit - sent) }, () =>
          fetch(`${s.url}/api/v1/status`, { headers: bearer(read) }),
        ),
      );
      for (const a of answers) {
        statuses.push(a.status);
        expect(a.headers.get("x-ratelimit-limit")).toBe(String(limit));
        lastRemaining = a.headers.get("x-ratelimit-remaining") ?? "";
        await a.arrayBuffer();
      }
    }
    expect(statuses.filter((x) => x !== 200)).toEqual([]);
    expect(lastRemaining).toBe("0");

    const over = await fetch(`${s.url}/api/v1/status`, { headers: bearer(read) });
    expect(over.status).toBe(429);
    expect(over.headers.get("x-ratelimit-limit")).toBe("600");
    expect(over.headers.get("x-ratelimit-remaining")).toBe("0");
    const retry = Number(over.headers.get("retry-after"));
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(60);
    expect(Number(over.headers.get("x-ratelimit-reset"))).toBe(retry);
    const body = (await over.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("auth.rate_limited");
    expect(body.error.message).toMatch(/600 a minute \(http\.rateLimitPerMinute\)/);
  });

  /** Spends this address's budget (at most limit + 1 requests), so that a test does not depend on the one before. */
  async function exhaust(): Promise<void> {
    for (let i = 0; i <= s.app.services.config.http.rateLimitPerMinute; i++) {
      const res = await fetch(`${s.url}/api/v1/openapi.json`);
      await res.arrayBuffer();
      if (res.status === 429) return;
    }
    throw new Error("the budget was never spent");
  }

  it("limits the panel's data, its pages and callers without a key alike, but not /health", async () => {
    await exhaust();
    for (const path of ["/api/v1/dashboard", "/messages", "/login", "/api/v1/accounts", "/api/v1/openapi.json"]) {
      const res = await fetch(`${s.url}${path}`, { redirect: "manual" });
      expect(res.status, path).toBe(429);
      await res.arrayBuffer();
    }
    const bad = await fetch(`${s.url}/api/v1/import/accounts`, {
      method: "POST",
      headers: { ...bearer("dg_not_a_key"), "content-type": "text/csv" },
      body: "id,version\nA,1\n",
    });
    expect(bad.status).toBe(429);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });

  it("gives a valid API key its own budget, wherever it comes from, and a made-up key none", async () => {
    await exhaust();
    // The accounting server behind the same address as the staff's browsers is still served.
    const fresh = await s.key(["read"]);
    const served = await fetch(`${s.url}/api/v1/status`, { headers: bearer(fresh) });
    expect(served.status).toBe(200);
    expect(served.headers.get("x-ratelimit-remaining")).toBe("599");
    expect(
      (await fetch(`${s.url}/api/v1/status`, { headers: bearer("dg_madeup_0000000000000000000000") })).status,
    ).toBe(429);
    // A key whose budget is spent is refused from another address too.
    const spender = await s.key(["read"]);
    for (let i = 0; i < 600; i += 50)
      await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${s.url}/api/v1/openapi.json`, { headers: bearer(spender) }).then((r) => r.arrayBuffer()),
        ),
      );
    const elsewhere = await raw(s.url, { path: "/api/v1/status", headers: bearer(spender), localAddress: "127.0.0.3" });
    expect(elsewhere.status).toBe(429);
  });

  it("keeps a budget per address: another client is served while this one waits", async () => {
    await exhaust();
    // 127.0.0.2 is this machine too (all of 127/8 is loopback), but another address to the server.
    const other = await raw(s.url, { path: "/api/v1/openapi.json", localAddress: "127.0.0.2" });
    expect(other.status).toBe(200);
    expect(other.headers["x-ratelimit-remaining"]).toBe("599");
  });
});

describe("Host header (DNS rebinding) and /metrics", () => {
  let s: Running;
  let keyed: Running;
  beforeAll(async () => {
    s = await start();
    keyed = await start({ metricsAccess: "key", allowedHosts: ["duegate.corp.example"] });
  }, 60_000);
  afterAll(async () => {
    await s?.stop();
    await keyed?.stop();
  });

  it("refuses a forged Host with 421 and says which setting admits it", async () => {
    const res = await raw(s.url, { path: "/api/v1/openapi.json", headers: { host: "rebind.attacker.example" } });
    expect(res.status).toBe(421);
    const body = JSON.parse(res.body) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("http.host_not_allowed");
    expect(body.error.message).toContain('"rebind.attacker.example"');
    expect(body.error.message).toContain("http.allowedHosts");
    // before authentication and routing: a page on the attacker's name sees nothing, not even the login
    expect((await raw(s.url, { path: "/login", headers: { host: `rebind.attacker.example:${s.port}` } })).status).toBe(
      421,
    );
    expect((await raw(s.url, { path: "/health", headers: { host: "127.0.0.1.attacker.example" } })).status).toBe(421);
  });

  it("answers to localhost, the loopback addresses, this machine's names and the configured ones", async () => {
    for (const host of [
      `localhost:${s.port}`,
      `127.0.0.1:${s.port}`,
      `[::1]:${s.port}`,
      `${hostname()}:${s.port}`,
      `${hostname().split(".")[0]}.local`,
      "LOCALHOST.",
    ]) {
      expect((await raw(s.url, { path: "/health", headers: { host } })).status, host).toBe(200);
    }
    expect((await raw(s.url, { path: "/health", headers: { host: "duegate.corp.example" } })).status).toBe(421);
    expect((await raw(keyed.url, { path: "/health", headers: { host: "duegate.corp.example:8080" } })).status).toBe(
      200,
    );
  });

  it("serves /metrics to this machine without a key by default, and to no one else", async () => {
    const local = await fetch(`${s.url}/metrics`);
    expect(local.status).toBe(200);
    expect(await local.text()).toContain("duegate_info");
    // What counts as this machine is the socket's address: 127/8, ::1 and their mapped forms, never a header.
    expect((await fetch(`${s.url}/metrics`, { headers: { "x-forwarded-for": "192.0.2.10" } })).status).toBe(200);
    expect(isLoopback("192.0.2.10")).toBe(false);
    expect(isLoopback("10.127.0.1")).toBe(false);
    expect(isLoopback("::ffff:127.0.0.1")).toBe(true);
    expect(isLoopback("::1")).toBe(true);
  });

  it("asks every client for a key with the metrics or read scope when http.metricsAccess is key", async () => {
    const none = await fetch(`${keyed.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { error: { message: string } }).error.message).toMatch(/metrics scope/);
    expect((await fetch(`${keyed.url}/metrics`, { headers: bearer(await keyed.key(["read", "write"])) })).status).toBe(
      200,
    );
    const metricsKey = await keyed.key(["metrics"]);
    const scraped = await fetch(`${keyed.url}/metrics`, { headers: bearer(metricsKey) });
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain("duegate_modem_up");
    // the scraper's key reads the figures and nothing else
    expect((await fetch(`${keyed.url}/api/v1/accounts`, { headers: bearer(metricsKey) })).status).toBe(403);
    expect((await fetch(`${keyed.url}/api/v1/dashboard`, { headers: bearer(metricsKey) })).status).toBe(403);
  });
});

describe("errors, scopes, health and import", () => {
  let s: Running;
  let write: string;
  beforeAll(async () => {
    s = await start();
    write = await s.key(["read", "write"]);
  }, 60_000);
  afterAll(async () => s?.stop());

  it("quotes at most an excerpt of a huge bad value, in the API's error and in the import report", async () => {
    const huge = "9".repeat(10) + "x".repeat(900_000);
    const csv = `id,version,name,phones\nA1,${huge},Anna,+4915112340021\nA2,1,Ben,+4915112340022\n`;
    const res = await fetch(`${s.url}/api/v1/import/accounts`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "text/csv" },
      body: csv,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.length).toBeLessThan(2000);
    const report = JSON.parse(text) as {
      stored: number;
      refused: Array<{ line: number; field: string; reason: string }>;
    };
    expect(report.stored).toBe(1);
    expect(report.refused[0]).toMatchObject({ line: 2, field: "/version" });
    expect(report.refused[0]!.reason).toMatch(/^"9999999999x+… \(899930 more\)" is not a whole number/);

    // One JSON record with a 4.9 MB locale: refused, naming the field, quoting 80 characters.
    const upsert = await fetch(`${s.url}/api/v1/accounts`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "application/json" },
      body: JSON.stringify({
        id: "A9",
        version: 1,
        name: "Long",
        phones: ["+4915112340009"],
        locale: "l".repeat(4_900_000),
      }),
    });
    expect(upsert.status).toBe(400);
    const refusal = await upsert.text();
    expect(refusal.length).toBeLessThan(2000);
    expect(refusal).not.toContain("l".repeat(100));
    expect(JSON.parse(refusal)).toMatchObject({ error: { code: "api.payload_invalid", field: "/locale" } });

    // A CSV the parser cannot read, with the bad quote deep in a long cell.
    const broken = await fetch(`${s.url}/api/v1/import/accounts`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "text/csv" },
      body: `id,version,name\nA3,1,${"n".repeat(500_000)}"quoted"\n`,
    });
    const brokenText = await broken.text();
    expect(broken.status).toBe(400);
    expect(brokenText.length).toBeLessThan(2000);
    expect(JSON.parse(brokenText)).toMatchObject({ error: { code: "api.payload_malformed" } });
  });

  it("refuses the accounting server's write key on the dunning policy, and takes a policy key", async () => {
    const policy = await (await fetch(`${s.url}/api/v1/policy`, { headers: bearer(write) })).json();
    const put = (key: string) =>
      fetch(`${s.url}/api/v1/policy`, {
        method: "PUT",
        headers: { ...bearer(key), "content-type": "application/json" },
        body: JSON.stringify(policy),
      });
    const versionBefore = JSON.stringify(s.app.services.dunning.policy());
    const refused = await put(write);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      'lacks the "policy" permission',
    );
    expect(JSON.stringify(s.app.services.dunning.policy())).toBe(versionBefore);
    // the same key still changes the ledger
    expect(
      (
        await fetch(`${s.url}/api/v1/accounts`, {
          method: "POST",
          headers: { ...bearer(write), "content-type": "application/json" },
          body: JSON.stringify({ id: "P1", version: 1, name: "Pay", phones: ["+4915112340001"] }),
        })
      ).status,
    ).toBe(200);
    const policyKey = await s.key(["policy"]);
    const accepted = await put(policyKey);
    expect(accepted.status, await accepted.clone().text()).toBe(200);
    // and a policy key is not a write key
    expect(
      (
        await fetch(`${s.url}/api/v1/send`, {
          method: "POST",
          headers: { ...bearer(policyKey), "content-type": "application/json" },
          body: JSON.stringify({ id: "x1", to: "+4915112340001", text: "hi" }),
        })
      ).status,
    ).toBe(403);
  });

  it("takes a streamed CSV larger than the JSON body limit, and refuses one over http.importMaxBytes with 413", async () => {
    const rows = 12_000;
    const note = "n".repeat(420);
    const lines = [
      "id,version,name,phones,notes",
      ...Array.from({ length: rows }, (_, i) => `S${i},1,Streamed ${i},+49151${String(20_000_000 + i)},${note}`),
    ];
    const body = lines.join("\n") + "\n";
    expect(body.length).toBeGreaterThan(s.app.services.config.http.bodyLimitBytes);
    const res = await fetch(`${s.url}/api/v1/import/accounts`, {
      method: "POST",
      headers: { ...bearer(write), "content-type": "text/csv" },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ received: rows, stored: rows, refused: [] });
    expect(s.app.services.ledger.account(`S${rows - 1}`)?.name).toBe(`Streamed ${rows - 1}`);

    const small = await start({ importMaxBytes: 1_000_000 });
    try {
      const key = await small.key(["read", "write"]);
      const tooBig = await fetch(`${small.url}/api/v1/import/accounts`, {
        method: "POST",
        headers: { ...bearer(key), "content-type": "text/csv" },
        body,
      });
      expect(tooBig.status).toBe(413);
      const refusal = (await tooBig.json()) as {
        error: { code: string; message: string };
        result?: { received: number };
      };
      expect(refusal.error.code).toBe("api.payload_too_large");
      expect(refusal.error.message).toContain("1000000 bytes (http.importMaxBytes)");
      // the batches before the limit are stored, and the answer says how many
      expect(refusal.result?.received).toBe(small.app.services.ledger.listAccounts({ limit: 1 }).total);
    } finally {
      await small.stop();
    }
  }, 120_000);

  it("answers /health 200 when it can send, and 503 naming the part when the outbox cannot write or the modem is gone", async () => {
    const ok = await fetch(`${s.url}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", unhealthy: [] });

    // The outbox's folder gone (a card unmounted under the service).
    const outboxDir = join(s.dataDir, "outbox");
    expect(existsSync(outboxDir)).toBe(true);
    rmSync(outboxDir, { recursive: true, force: true });
    const noStorage = await fetch(`${s.url}/health`);
    expect(noStorage.status).toBe(503);
    const report = (await noStorage.json()) as {
      status: string;
      unhealthy: string[];
      storage: { ok: boolean; reason: string };
    };
    expect(report).toMatchObject({ status: "unhealthy", unhealthy: ["storage"], storage: { ok: false } });
    expect(report.storage.reason).toContain(outboxDir);

    // The modem unplugged: recovering, then offline; either way not sending.
    s.sim.fault.unplug(120_000);
    let down: { status: number; b: { unhealthy: string[]; modem: { state: string } } } | undefined;
    for (let i = 0; i < 600 && !down; i++) {
      const r = await fetch(`${s.url}/health`);
      const b = (await r.json()) as { unhealthy: string[]; modem: { state: string } };
      if (b.unhealthy.includes("modem")) down = { status: r.status, b };
      else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (!down) throw new Error("/health never reported the unplugged modem");
    expect(down.status).toBe(503);
    expect(["recovering", "offline", "starting"]).toContain(down.b.modem.state);
  }, 90_000);
});

describe("an HTTP port already in use", () => {
  let holder: Server;
  let port: number;
  let dataDir: string;
  beforeAll(async () => {
    holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: 0 }, resolve));
    port = (holder.address() as { port: number }).port;
    dataDir = mkdtempSync(join(tmpdir(), "duegate-sec-port-"));
  });
  afterAll(async () => {
    await new Promise((resolve) => holder.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("in the process too: start() stops what it started and rejects with the reason", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duegate-sec-port-app-"));
    try {
      const at = (listen: string) =>
        validateConfig({
          gateway: { dataDir: dir },
          modem: { port: "sim" },
          mqtt: { mode: "off" },
          http: { listen, adminPassword: ADMIN_PASSWORD },
        });
      const app = await createApp(at(`127.0.0.1:${port}`), { logger: silentLogger() });
      await expect(app.start()).rejects.toMatchObject({
        code: "http.listen_failed",
        context: { address: `127.0.0.1:${port}`, code: "EADDRINUSE" },
      });
      // the modem, outbox and data lock were released: the same data directory starts again at once
      const again = await createApp(at("127.0.0.1:0"), { logger: silentLogger() });
      await again.start();
      expect((await fetch(`${again.httpUrl}/health`)).status).toBe(200);
      await again.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it("stops the service with the address, the reason and the fix, and a non-zero exit code", async () => {
    const r = await new Promise<{ code: number | null; signal: string | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [
          "--import",
          "tsx",
          "src/main.ts",
          "run",
          "--data",
          dataDir,
          "--modem",
          "sim",
          "--mqtt",
          "off",
          "--http",
          `127.0.0.1:${port}`,
        ],
        {
          env: {
            PATH: process.env.PATH ?? "",
            HOME: process.env.HOME ?? "/tmp",
            DUEGATE_HTTP__ADMIN_PASSWORD: ADMIN_PASSWORD,
          },
          timeout: 60_000,
        },
        (_err, _stdout, stderr) => resolve({ code: child.exitCode, signal: child.signalCode, stderr }),
      );
    });
    // Not killed by the timeout: it ended by itself.
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
    expect(r.stderr).toMatch(/http\.listen|--http/);
    // Nothing left half-started: the data directory (its instance lock) is free for the next start.
    const again = validateConfig({
      gateway: { dataDir },
      modem: { port: "sim" },
      mqtt: { mode: "off" },
      http: { listen: "127.0.0.1:0", adminPassword: ADMIN_PASSWORD },
    });
    const app = await createApp(again, { logger: silentLogger() });
    await app.stop();
  }, 90_000);
});
