/**
 * GET/PATCH /api/v1/settings from the outside: the real service on its default configuration
 * (loopback HTTP), attacked with raw fetch. Bad input gets a 4xx that says what is wrong and
 * where; nobody but an administrator's session changes a setting; the service stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { silentLogger } from "../../src/core/log.js";

const PASSWORD = "an admin password";

describe("the settings resource, from the outside", () => {
  let app: App;
  let dataDir: string;
  let admin: { cookie: string; csrf: string };
  let writeKey: string;

  const patch = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${app.httpUrl}/api/v1/settings`, {
      method: "PATCH",
      headers: { "content-type": "application/json", ...headers },
      body,
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const asAdmin = () => ({ cookie: admin.cookie, "x-csrf-token": admin.csrf });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "duegate-settings-api-"));
    app = await createApp(
      validateConfig({ gateway: { dataDir }, http: { listen: "127.0.0.1:0", adminPassword: PASSWORD } }),
      { logger: silentLogger(), mqtt: false },
    );
    await app.start();
    const res = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: PASSWORD }),
    });
    const cookie = res.headers
      .getSetCookie()
      .find((c) => c.startsWith("duegate_session="))!
      .split(";")[0]!;
    admin = { cookie, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
    writeKey = (await app.services.auth.createApiKey("erp", ["read", "write"])).key;
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("describes each editable key in words, with the valid range and whether it needs a restart", async () => {
    const res = await fetch(`${app.httpUrl}/api/v1/settings`, { headers: { authorization: `Bearer ${writeKey}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      editable: { fields: Array<Record<string, unknown>> };
      config: Record<string, unknown>;
    };
    const field = (key: string) => body.editable.fields.find((f) => f.key === key);
    expect(field("outbox.sendWindow.start")).toMatchObject({
      label: "Earliest send time",
      expected: "a time like 08:00",
      restart: false,
      sectionLabel: "Send window",
    });
    expect(field("email.enabled")).toMatchObject({ restart: true, kind: "switch" });
    expect(field("email.password")).toMatchObject({ secret: true });
    expect(field("http.listen")).toBeUndefined();
    expect(body.config).toHaveProperty("http.listen", app.services.config.http.listen);
  });

  it("refuses every bad body with a 400 that says what is wrong and where, and changes nothing", async () => {
    const cases: Array<[string, RegExp]> = [
      ["[]", /\(whole\) must be object/],
      ['"x"', /\(whole\) must be object/],
      ["{", /JSON|json/],
      [JSON.stringify({ "outbox.limits.perMinute": null }), /SMS parts per minute: an empty value is not allowed/],
      [JSON.stringify({ "http.listen": "0.0.0.0:80" }), /http\.listen cannot be changed from the panel/],
      [JSON.stringify({ "outbox.sendWindow.days": [1, 9] }), /Send days: \[1,9\] is not allowed; it must be weekday/],
      [
        JSON.stringify(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, 1]))),
        /must NOT have more than 100 properties/,
      ],
    ];
    for (const [body, said] of cases) {
      const r = await patch(body, asAdmin());
      expect(r.status, body.slice(0, 40)).toBe(400);
      expect(r.text, body.slice(0, 40)).toMatch(said);
    }
    expect(app.services.config.outbox.limits.perMinute).toBe(30);
    expect((await fetch(`${app.httpUrl}/health`)).status).toBe(200);
  });

  it("lets no one but an administrator's session change a setting", async () => {
    const change = JSON.stringify({ "outbox.limits.perMinute": 5 });
    expect((await patch(change)).status).toBe(401);
    expect((await patch(change, { authorization: `Bearer ${writeKey}` })).status).toBe(403);
    expect((await patch(change, { cookie: admin.cookie })).status).toBe(403); // no CSRF token
    const ok = await patch(change, asAdmin());
    expect(ok.status, ok.text).toBe(200);
    expect(app.services.config.outbox.limits.perMinute).toBe(5);
  });
});
