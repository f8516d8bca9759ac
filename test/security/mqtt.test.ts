/**
 * The embedded MQTT broker attacked from outside, as `duegate run` starts it with its default
 * configuration (only a temporary data directory, the simulated modem and free ports): real
 * clients (mqtt.js, mosquitto_pub/sub, raw sockets, node:tls) against the real listeners.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect, type PeerCertificate } from "node:tls";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import mqtt, { type IClientOptions, type MqttClient } from "mqtt";
import mqttPacket from "mqtt-packet";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { createLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { LogCapture } from "../reliability/harness/appliance.js";
import { requireOrSkip, waitFor } from "../bridge/helpers/mosquitto.js";

const MOSQUITTO_PUB = "/usr/bin/mosquitto_pub";
const MOSQUITTO_SUB = "/usr/bin/mosquitto_sub";
const ALICE = "+4915123400001";

/** A non-internal IPv4 address of this machine: connecting to our own LAN address is a LAN client. */
function lanAddress(): string | undefined {
  for (const list of Object.values(networkInterfaces()))
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

function run(
  cmd: string,
  args: string[],
  timeoutMs = 10_000,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Connects and resolves the client, or rejects with the broker's refusal (or the socket error). */
function tryConnect(url: string, opts: IClientOptions = {}): Promise<MqttClient> {
  return mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
}

describe("the embedded MQTT broker with its default configuration, attacked from outside", () => {
  let app: App;
  let dataDir: string;
  const log = new LogCapture();
  let plainUrl: string;
  let tlsPort: number;
  let base: string;
  let accounting: { username: string; password: string };
  let adminPassword: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-sec-mqtt-"));
    const config = validateConfig({
      gateway: { dataDir },
      modem: { port: "sim" },
      http: { listen: "127.0.0.1:0" },
      mqtt: { embedded: { port: 0, tls: { port: 0 } } },
    });
    app = await createApp(config, {
      simulator: new ModemSimulator({ sendLatencyMs: 5 }),
      logger: createLogger({ level: "info", pretty: false, destination: log }),
    });
    await app.start();
    const broker = app.mqtt!.embeddedBroker!;
    plainUrl = `mqtt://127.0.0.1:${broker.port}`;
    tlsPort = broker.tlsPort;
    base = `duegate/${config.gateway.id}`;
    const messages = log.lines.map((l) => String((JSON.parse(l) as { msg?: string }).msg)).join("\n");
    const mqttLine = /created MQTT user "(\S+)" for the accounting server with password (\S+) /.exec(messages);
    const adminLine = /created user "admin" with generated password (\S+) /.exec(messages);
    expect(mqttLine, "the generated accounting password is shown once in the log").not.toBeNull();
    accounting = { username: mqttLine![1]!, password: mqttLine![2]! };
    adminPassword = adminLine![1]!;
    await waitFor("the gateway connected to its broker", () => app.mqtt!.connected, 10_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the accounting credentials hashed, 0600 in a 0700 directory, and never logs them again", () => {
    const file = join(dataDir, "mqtt", "users.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "mqtt")).mode & 0o777).toBe(0o700);
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain(accounting.password);
    expect(text).toMatch(/"passwordHash": "scrypt\$/);
    expect(log.text().split(accounting.password).length - 1).toBe(1);
  });

  it("listens in plain only on loopback, and over TLS on every address", () => {
    expect(app.services.config.mqtt.embedded.host).toBe("127.0.0.1");
    expect(tlsPort).toBeGreaterThan(0);
  });

  it("refuses an anonymous client on loopback", async () => {
    await expect(tryConnect(plainUrl)).rejects.toThrow(/Not authorized/i);
    expect(log.text()).toMatch(/refused an anonymous client/);
  });

  it("refuses an anonymous client from the LAN address: no plain listener there, and not authorized over TLS", async () => {
    const lan = lanAddress();
    if (!lan) return void requireOrSkip(false, "a non-internal IPv4 address");
    const plainPort = app.mqtt!.embeddedBroker!.port;
    await expect(tryConnect(`mqtt://${lan}:${plainPort}`)).rejects.toThrow(/ECONNREFUSED/);
    await expect(tryConnect(`mqtts://${lan}:${tlsPort}`, { rejectUnauthorized: false })).rejects.toThrow(
      /Not authorized/i,
    );
    // The accounting server from the LAN, with its login, over TLS: allowed.
    const ok = await tryConnect(`mqtts://${lan}:${tlsPort}`, { rejectUnauthorized: false, ...accounting });
    expect(ok.connected).toBe(true);
    await ok.endAsync();
  });

  it("lets no anonymous mosquitto_sub read '#' and no anonymous mosquitto_pub inject accounts, payments or SMS", async () => {
    if (!requireOrSkip(existsSync(MOSQUITTO_PUB) && existsSync(MOSQUITTO_SUB), "mosquitto clients")) return;
    const port = String(app.mqtt!.embeddedBroker!.port);
    const sub = await run(MOSQUITTO_SUB, ["-h", "127.0.0.1", "-p", port, "-t", "#", "-C", "1", "-W", "3"]);
    expect(sub.code).not.toBe(0);
    expect(sub.stderr).toMatch(/not authori[sz]ed/i);
    const injections: Array<[string, unknown]> = [
      ["accounts/upsert", { id: "EVIL", version: 1, name: "Mallory", phones: [ALICE] }],
      [
        "payments/record",
        { id: "P-EVIL", invoiceId: "I1", amount: 100000, currency: "EUR", paidAt: new Date().toISOString() },
      ],
      ["send", { id: "s-evil", to: ALICE, text: "Your account is closed, call +1 900 ..." }],
      ["optout", { number: ALICE, optedOut: true }],
      ["request/account", { id: "EVIL" }],
    ];
    for (const [topic, body] of injections) {
      const r = await run(MOSQUITTO_PUB, [
        "-h",
        "127.0.0.1",
        "-p",
        port,
        "-q",
        "1",
        "-t",
        `${base}/${topic}`,
        "-m",
        JSON.stringify(body),
      ]);
      expect(r.code, topic).not.toBe(0);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(app.services.ledger.account("EVIL")).toBeUndefined();
    expect(app.services.outbox.byIdempotencyKey("send:s-evil")).toBeUndefined();
  });

  it("refuses subscriptions beyond what the accounting user may read, grants its own topics", async () => {
    const c = await tryConnect(plainUrl, accounting);
    try {
      // mqtt.js rejects a SUBACK carrying a failure code (0x80); each filter on its own.
      const suback = (filter: string) =>
        c.subscribeAsync(filter, { qos: 1 }).then(
          (granted) => granted[0]!.qos,
          (e: { packet?: { granted?: number[] } }) => e.packet?.granted?.[0] ?? -1,
        );
      for (const refused of ["#", "$SYS/#", "+/+/#", "duegate/#", "+/+/status", "$share/g/#"])
        expect(await suback(refused), refused).toBe(128);
      expect(await suback(`${base}/#`)).toBe(1);
    } finally {
      await c.endAsync();
    }
  });

  it("does not let the accounting user forge the gateway's events or status: the connection is closed", async () => {
    const watcher = await tryConnect(plainUrl, accounting);
    const forged: string[] = [];
    watcher.on("message", (topic, payload) => {
      if (payload.toString().includes("forged")) forged.push(topic);
    });
    await watcher.subscribeAsync(`${base}/#`, { qos: 1 });
    for (const [topic, retain] of [
      [`${base}/status`, true],
      [`${base}/message/state`, false],
      [`${base}/accounts/upsert`, true],
    ] as const) {
      const c = await tryConnect(plainUrl, accounting);
      const closed = new Promise<void>((r) => c.once("close", () => r()));
      c.publish(topic, JSON.stringify({ state: "offline", forged: true }), { qos: 0, retain });
      await Promise.race([
        closed,
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error(`not disconnected after publishing to ${topic}`)), 5000),
        ),
      ]);
      c.end(true);
    }
    await new Promise((r) => setTimeout(r, 300));
    await watcher.endAsync();
    expect(forged).toEqual([]);
  });

  it("accepts the accounting server's data with its login, and answers its requests", async () => {
    const c = await tryConnect(plainUrl, accounting);
    try {
      const answers: Array<Record<string, unknown>> = [];
      c.on("message", (_t, p) => void answers.push(JSON.parse(p.toString()) as Record<string, unknown>));
      await c.subscribeAsync(`${base}/response/+`, { qos: 1 });
      await c.publishAsync(
        `${base}/accounts/upsert`,
        JSON.stringify({ id: "A1", version: 1, name: "Alice Example", phones: [ALICE] }),
        { qos: 1 },
      );
      await c.publishAsync(`${base}/request/account`, JSON.stringify({ id: "A1", transaction: 1 }), { qos: 1 });
      await waitFor("the answer", () => answers.length > 0, 5000);
      expect(answers[0]).toMatchObject({ status: "ok", transaction: 1 });
    } finally {
      await c.endAsync();
    }
  });

  it("refuses a foreign client using the gateway's client id, and the gateway stays connected", async () => {
    const clientId = `duegate-${app.services.config.gateway.id}`;
    await expect(tryConnect(plainUrl, { ...accounting, clientId })).rejects.toThrow(/Identifier rejected/i);
    await expect(tryConnect(plainUrl, { ...accounting, clientId, clean: false })).rejects.toThrow(
      /Identifier rejected/i,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(app.mqtt!.connected).toBe(true);
    expect(log.text()).toMatch(/refused a client using the gateway's own client id/);
  });

  it("closes a connection announcing a 50 MB publish without reading it, RSS growing little", async () => {
    const port = app.mqtt!.embeddedBroker!.port;
    const socket: Socket = netConnect(port, "127.0.0.1");
    await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
    let closed = false;
    socket.on("close", () => (closed = true));
    socket.on("error", () => undefined);
    const connack = new Promise<Buffer>((r) => socket.once("data", r));
    socket.write(
      mqttPacket.generate({
        cmd: "connect",
        protocolId: "MQTT",
        protocolVersion: 4,
        clean: true,
        clientId: "big",
        keepalive: 30,
        username: accounting.username,
        password: Buffer.from(accounting.password),
      }),
    );
    expect((await connack)[3]).toBe(0);
    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const total = 50 * 1024 * 1024;
    // PUBLISH QoS 0 announcing 50 MB (the remaining length in four bytes), then the body in 64 KiB pieces.
    const header = Buffer.from([0x30, ...varint(total)]);
    socket.write(header);
    const chunk = Buffer.alloc(64 * 1024, 0x41);
    let sent = header.length;
    const deadline = Date.now() + 30_000;
    for (let i = 0; i < total / chunk.length && !closed && Date.now() < deadline; i++) {
      if (!socket.write(chunk)) await new Promise<void>((r) => (socket.once("drain", r), socket.once("close", r)));
      sent += chunk.length;
    }
    await waitFor("the broker to close the connection", () => closed, 10_000);
    const grown = process.memoryUsage().rss - rssBefore;
    socket.destroy();
    expect(sent).toBeLessThan(total);
    expect(grown).toBeLessThan(24 * 1024 * 1024);
    expect(log.text()).toMatch(/packet over the size limit/);
  }, 60_000);

  it("serves mqtts with the appliance's certificate, whose fingerprint the admin API shows, for mosquitto_pub --cafile", async () => {
    const login = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: adminPassword }),
    });
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const view = (await (await fetch(`${app.httpUrl}/api/v1/mqtt/credentials`, { headers: { cookie } })).json()) as {
      username: string;
      source: string;
      listeners: { tls: { port: number; fingerprint256: string } };
    };
    expect(view).toMatchObject({ username: "accounting", source: "generated", listeners: { tls: { port: tlsPort } } });
    expect(JSON.stringify(view)).not.toContain(accounting.password);
    const presented = await new Promise<string>((resolve, reject) => {
      const s = tlsConnect({ host: "127.0.0.1", port: tlsPort, rejectUnauthorized: false }, () => {
        resolve(s.getPeerCertificate().fingerprint256);
        s.end();
      });
      s.once("error", reject);
    });
    expect(presented).toBe(view.listeners.tls.fingerprint256);
    // Pinned: the client trusts exactly this certificate and checks the fingerprint.
    const ca = readFileSync(join(dataDir, "tls", "duegate.crt"));
    // mqtt.js hands its options to tls.connect, checkServerIdentity included (its type leaves it out).
    const pin = {
      checkServerIdentity: (_host: string, cert: PeerCertificate) =>
        cert.fingerprint256 === presented ? undefined : new Error("fingerprint mismatch"),
    };
    const pinned = await tryConnect(`mqtts://127.0.0.1:${tlsPort}`, { ...accounting, ca, ...(pin as IClientOptions) });
    await expect(
      tryConnect(`mqtts://127.0.0.1:${tlsPort}`, {
        ...accounting,
        ca,
        ...({ checkServerIdentity: () => new Error("fingerprint mismatch") } as IClientOptions),
      }),
    ).rejects.toThrow(/fingerprint mismatch/);
    await pinned.endAsync();
    if (!requireOrSkip(existsSync(MOSQUITTO_PUB), "mosquitto_pub")) return;
    const caPath = join(dataDir, "tls", "duegate.crt");
    const r = await run(MOSQUITTO_PUB, [
      "-h",
      "localhost",
      "-p",
      String(tlsPort),
      "--cafile",
      caPath,
      "-u",
      accounting.username,
      "-P",
      accounting.password,
      "-q",
      "1",
      "-t",
      `${base}/accounts/upsert`,
      "-m",
      JSON.stringify({ id: "TLS1", version: 1, name: "Over TLS", phones: ["+4915123400009"] }),
    ]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    await waitFor("the account sent over mqtts", () => app.services.ledger.account("TLS1") !== undefined, 5000);
    // Without the certificate, the handshake fails: nobody can downgrade to an unverified server.
    const unverified = await run(MOSQUITTO_PUB, [
      "-h",
      "localhost",
      "-p",
      String(tlsPort),
      "--capath",
      "/nonexistent",
      "-u",
      accounting.username,
      "-P",
      accounting.password,
      "-t",
      `${base}/send`,
      "-m",
      "{}",
    ]);
    expect(unverified.code).not.toBe(0);
  }, 30_000);

  it("rotates the accounting password for an admin only: the new one works, the old one no longer", async () => {
    const key = (await app.services.auth.createApiKey("reader", ["read", "write"])).key;
    const forbidden = await fetch(`${app.httpUrl}/api/v1/mqtt/credentials/rotate`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(forbidden.status).toBe(403);
    expect((await fetch(`${app.httpUrl}/api/v1/mqtt/credentials`)).status).toBe(401);
    const login = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: adminPassword }),
    });
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
    const r = await fetch(`${app.httpUrl}/api/v1/mqtt/credentials/rotate`, {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrfToken },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get("cache-control")).toBe("no-store");
    const fresh = (await r.json()) as { username: string; password: string };
    expect(fresh.username).toBe("accounting");
    expect(fresh.password).not.toBe(accounting.password);
    const ok = await tryConnect(plainUrl, fresh);
    await ok.endAsync();
    await expect(tryConnect(plainUrl, accounting)).rejects.toThrow(/Bad username or password/i);
    expect(log.text()).not.toContain(fresh.password);
    accounting = fresh;
    // A good login clears the address's failures (the next test counts from zero).
    await (await tryConnect(plainUrl, accounting)).endAsync();
  });

  // Last: it locks 127.0.0.1 out for a while.
  it("throttles wrong passwords per address: after five, even the right one is refused; each failure is logged with the address, never the password", async () => {
    for (let i = 0; i < 5; i++)
      await expect(tryConnect(plainUrl, { username: "accounting", password: `guess-${i}-xyzzy` })).rejects.toThrow(
        /Bad username or password/i,
      );
    await expect(tryConnect(plainUrl, accounting)).rejects.toThrow(/Not authorized/i);
    const failures = log.lines.filter((l) => l.includes("bad user name or password"));
    expect(failures.length).toBeGreaterThanOrEqual(5);
    expect(
      failures.every((l) => l.includes('"address":"127.0.0.1"') || l.includes('"address":"::ffff:127.0.0.1"')),
    ).toBe(true);
    expect(log.text()).not.toContain("xyzzy");
    expect(log.text()).toMatch(/too many wrong passwords from this address/);
    // The gateway's own client is not locked out with the attacker.
    expect(app.mqtt!.connected).toBe(true);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}
