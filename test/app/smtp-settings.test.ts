/**
 * The SMTP relay set through the REST settings (PATCH /api/v1/settings, as the panel's Settings
 * page sends it) on the running appliance, against a real SMTP server (smtp-server) on loopback:
 * the relay's settings are in force for the next mail without a restart, the password is never
 * shown, and the relay test names each usual failure with the server's own answer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { Priority } from "../../src/outbox/types.js";
import { freePort } from "../../src/cli/free-port.js";
import { startSmtp, type TestSmtp } from "../email/helpers/smtp.js";
import { waitForValue } from "../support/wait.js";

const PASSWORD = "an admin password";
const RELAY = { user: "duegate", pass: "relay pass 123" };

describe("the SMTP relay set in the settings, on the running appliance", () => {
  let app: App;
  let relay: TestSmtp;
  let dataDir: string;
  let session: { cookie: string; csrf: string };

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${app.httpUrl}${path}`, {
      method,
      headers: {
        cookie: session.cookie,
        "x-csrf-token": session.csrf,
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers read field by field
  };
  const patch = (values: Record<string, unknown>) => call("PATCH", "/api/v1/settings", values);
  const testMail = (to: string) => call("POST", "/api/v1/email/test", { to });

  beforeAll(async () => {
    relay = await startSmtp({ auth: RELAY });
    // Nothing listens here: the relay the appliance starts with is wrong, as on a first install.
    const nobody = await freePort("127.0.0.1", 0);
    dataDir = mkdtempSync(join(tmpdir(), "duegate-smtp-settings-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC", companyName: "Acme Alarm" },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      dunning: { requireTrustedClock: false },
      http: { listen: "127.0.0.1:0", adminPassword: PASSWORD },
      email: {
        enabled: true,
        host: "127.0.0.1",
        port: nobody,
        secure: "none",
        from: "billing@acme.example",
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 4000,
      },
    });
    app = await createApp(config, {
      simulator: new ModemSimulator({ sendLatencyMs: 5 }),
      logger: silentLogger(),
      mqtt: false,
    });
    await app.start();
    const res = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("duegate_session="))!
      .split(";")[0]!;
    session = { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("says connection refused when nothing listens at the server and port", async () => {
    const r = await testMail("admin@example.org");
    expect(r.status).toBe(502);
    expect(r.body.failureClass).toBe("connection-refused");
    expect(r.body.error.message).toMatch(/ECONNREFUSED/);
  });

  it("takes the relay's port, login and sender without a restart: the test mail and the next reminder mail go through", async () => {
    const saved = await patch({
      "email.port": relay.port,
      "email.user": RELAY.user,
      "email.password": RELAY.pass,
      "email.from": "reminders@acme.example",
    });
    expect(saved.status, saved.text).toBe(200);
    expect(saved.body).toMatchObject({
      changed: ["email.port", "email.user", "email.password", "email.from"],
      restartRequired: [],
    });
    expect(saved.body.editable.secrets["email.password"]).toBe("set");
    expect(saved.text).not.toContain(RELAY.pass);

    const ok = await testMail("admin@example.org");
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.response).toMatch(/^250/);
    expect(relay.received.find((m) => m.to.includes("admin@example.org"))?.from).toBe("reminders@acme.example");

    // The outbox's e-mail lane, opened with the dead port, now sends through the relay as saved.
    await app.services.outbox.enqueue({
      idempotencyKey: "inv-1:step-1:email",
      channel: "email",
      to: "debtor@example.org",
      text: "Invoice 1 is due.",
      email: { subject: "Reminder", html: "<p>Invoice 1 is due.</p>" },
      priority: Priority.reminder,
      origin: { kind: "dunning", accountId: "acc-1", invoiceIds: ["inv-1"], step: "first", policyVersion: 1 },
    });
    const mail = await waitForValue("the reminder mail at the relay", () =>
      relay.received.find((m) => m.to.includes("debtor@example.org")),
    );
    expect(mail.from).toBe("reminders@acme.example");

    const read = await call("GET", "/api/v1/settings");
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(RELAY.pass);
    expect(read.body.config.email.password).toBe("••••••");
  }, 30_000);

  it("says authentication failed, with the server's answer, when the password is wrong", async () => {
    expect((await patch({ "email.password": "not the password" })).status).toBe(200);
    const r = await testMail("admin@example.org");
    expect(r.status).toBe(502);
    expect(r.body.failureClass).toBe("authentication");
    expect(r.body.error.message).toMatch(/535 5\.7\.8 Authentication credentials invalid/);
    expect(r.text).not.toContain("not the password");
    expect((await patch({ "email.password": RELAY.pass })).status).toBe(200);
  });

  it("says relay denied, with the server's answer, when the server will not forward to the address", async () => {
    relay.onRcpt = (address) =>
      address.endsWith("@elsewhere.example") ? { code: 550, message: "5.7.1 Relaying denied" } : "ok";
    try {
      const r = await testMail("someone@elsewhere.example");
      expect(r.status).toBe(502);
      expect(r.body.failureClass).toBe("relay-denied");
      expect(r.body.error.message).toMatch(/550 5\.7\.1 Relaying denied/);
    } finally {
      relay.onRcpt = () => "ok";
    }
  });

  it("says TLS failed when the security setting does not match the server", async () => {
    // TLS from the first byte against a server that speaks plain SMTP.
    expect((await patch({ "email.secure": "tls" })).status).toBe(200);
    const r = await testMail("admin@example.org");
    expect(r.status).toBe(502);
    expect(r.body.failureClass).toBe("tls");
    expect((await patch({ "email.secure": "none" })).status).toBe(200);
    expect((await testMail("admin@example.org")).status).toBe(200);
  });

  it("refuses an empty server beside its field while e-mail is on, and says switching e-mail off waits for a restart", async () => {
    const empty = await patch({ "email.host": "" });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({ field: "email.host", code: "config.invalid" });
    expect(empty.body.error.message).toMatch(/^SMTP server is empty/);
    expect(app.services.config.email.host).toBe("127.0.0.1");

    const off = await patch({ "email.enabled": false });
    expect(off.status).toBe(200);
    expect(off.body.restartRequired).toEqual(["email.enabled"]);
  });
});
