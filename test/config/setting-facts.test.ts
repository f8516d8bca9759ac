/**
 * The settings facts in the schema (src/config/setting-facts.ts) drive what the panel may edit,
 * what is masked (the Settings read, `duegate config`, the log) and what waits for a restart.
 */
import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { validateConfig } from "../../src/config/load.js";
import {
  maskSecrets,
  needsRestart,
  PANEL_SETTINGS,
  SECRET_SETTINGS,
  secretKeyNames,
  SETTINGS,
} from "../../src/config/settings-catalog.js";
import { expectedInWords, refusalInWords } from "../../src/config/setting-words.js";
import { settingEntry } from "../../src/config/settings-catalog.js";
import { createLogger } from "../../src/core/log.js";
import { redactConfig } from "../../src/http/web/settings-view.js";

const config = validateConfig({
  modem: { pin: "4711" },
  mqtt: { password: "broker-secret-1", key: "/etc/duegate/mqtt-client.key" },
  http: {
    adminPassword: "first-admin-secret",
    webhooks: [{ url: "https://erp.example/hook", secret: "hook-secret-1" }],
  },
  email: { password: "relay-secret-1", unsubscribeSecret: "unsubscribe-secret-1" },
});
const SECRETS = [
  "4711",
  "broker-secret-1",
  "first-admin-secret",
  "hook-secret-1",
  "relay-secret-1",
  "unsubscribe-secret-1",
];

function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, logger: createLogger({ level: "info", pretty: false, destination, secretKeys: secretKeyNames() }) };
}

describe("the settings facts in the schema", () => {
  it("give every editable key a label, and the panel exactly the keys marked editable", () => {
    for (const key of PANEL_SETTINGS) expect(settingEntry(key)?.facts?.label, key).toBeTruthy();
    expect(PANEL_SETTINGS).toEqual(SETTINGS.filter((e) => e.facts?.editable).map((e) => e.key));
    expect(PANEL_SETTINGS).toEqual(
      expect.arrayContaining([
        "email.host",
        "email.port",
        "email.secure",
        "email.user",
        "email.password",
        "email.from",
      ]),
    );
    expect(PANEL_SETTINGS).not.toContain("http.listen");
  });

  it("mark every key whose name says password, secret or PIN as secret (a new one cannot slip through)", () => {
    const named = SETTINGS.map((e) => e.key).filter((k) => /(password|secret|pin)$/i.test(k));
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((k) => !SECRET_SETTINGS.has(k))).toEqual([]);
  });

  it("drive the Settings read: secrets masked, a file path that merely ends in key shown", () => {
    const shown = redactConfig(config) as typeof config;
    for (const s of SECRETS) expect(JSON.stringify(shown)).not.toContain(s);
    expect(shown.email.password).toBe("••••••");
    expect(shown.http.webhooks[0]?.secret).toBe("••••••");
    expect(shown.mqtt.username).toBe(""); // an empty value stays empty: "not set" is visible
    expect(shown.mqtt.key).toBe("/etc/duegate/mqtt-client.key"); // a path, not a secret
    expect(JSON.stringify(maskSecrets(config, "[hidden]"))).not.toMatch(new RegExp(SECRETS.join("|")));
  });

  it("drive the log: a configuration logged by mistake has every secret redacted", () => {
    const { lines, logger } = capturedLogger();
    logger.info({ http: config.http, email: config.email, mqtt: config.mqtt, modem: config.modem }, "config");
    const line = lines.join("");
    expect(line).toContain("erp.example");
    for (const s of SECRETS) expect(line).not.toContain(s);
    expect(JSON.parse(line).email.unsubscribeSecret).toBe("[redacted]");
  });

  it("drive the restart flag: live keys take effect at once, restart keys after the next start", () => {
    expect(needsRestart("outbox.limits.perMinute")).toBe(false);
    expect(needsRestart("email.host")).toBe(false);
    expect(needsRestart("email.enabled")).toBe(true);
    expect(needsRestart("inbound.reassemblyTimeoutMinutes")).toBe(true);
    expect(needsRestart("http.listen")).toBe(true); // not editable: only the file sets it
  });

  it("say the valid range in words, never as a pattern", () => {
    const words = (key: string) => expectedInWords(settingEntry(key)!.schema, settingEntry(key)!.facts);
    expect(words("outbox.sendWindow.start")).toBe("a time like 08:00");
    expect(words("outbox.retry.jitter")).toBe("a number between 0 and 1");
    expect(words("email.port")).toBe("a whole number between 1 and 65535");
    expect(words("dunning.graceDays")).toBe("a whole number of days, 0 or more");
    expect(words("email.secure")).toBe(
      "one of: STARTTLS (port 587), TLS from the start (port 465), none (trusted LAN only)",
    );
    expect(refusalInWords("email.password", "hunter2")).not.toContain("hunter2");
  });
});
