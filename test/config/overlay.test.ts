import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, validateConfig } from "../../src/config/load.js";
import { overlayPath, PANEL_SETTINGS, SettingsOverlay } from "../../src/config/overlay.js";
import { isDuegateError } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";

function setup(fileText = "") {
  const dir = mkdtempSync(join(tmpdir(), "duegate-overlay-"));
  const dataDir = join(dir, "data");
  const file = join(dir, "duegate.yaml");
  writeFileSync(file, `gateway:\n  dataDir: ${JSON.stringify(dataDir)}\n${fileText}`);
  return { dataDir, file };
}

describe("the panel's settings overlay", () => {
  it("precedence: flags > environment > panel overlay > file > defaults", async () => {
    const { dataDir, file } = setup(
      "outbox:\n  sendWindow:\n    start: '09:00'\n    end: '20:00'\n  limits:\n    perMinute: 10\n",
    );
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), {});
    const base = loadConfig({ file, env: {} }).config;
    const plan = overlay.plan(base, {
      "outbox.sendWindow.start": "10:00",
      "outbox.sendWindow.end": "19:00",
      "outbox.limits.perMinute": 12,
      "mqtt.password": "s3cret",
    });
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    await overlay.save(plan.overlay);

    const { config } = loadConfig({
      file,
      env: { DUEGATE_OUTBOX__SEND_WINDOW__START: "11:00" },
      overrides: { "outbox.limits.perMinute": 20 },
    });
    expect(config.outbox.sendWindow.start).toBe("11:00"); // environment over the overlay
    expect(config.outbox.sendWindow.end).toBe("19:00"); // overlay over the file
    expect(config.outbox.limits.perMinute).toBe(20); // flag over everything
    expect(config.outbox.limits.perSimPerDay).toBe(500); // default
    expect(config.mqtt.password).toBe("s3cret");
    expect(loadConfig({ file, env: {}, overlay: false }).config.outbox.sendWindow.end).toBe("20:00");
    expect(readFileSync(overlayPath(dataDir), "utf8")).toMatch(/^# Settings saved in the duegate web panel/);
  });

  it("refuses a bad value per field, in words naming the field and its range, and saves nothing", () => {
    const { dataDir, file } = setup();
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), {});
    const plan = overlay.plan(loadConfig({ file, env: {} }).config, {
      "outbox.sendWindow.end": "25:00",
      "outbox.limits.perMinute": 0,
      "dunning.consolidate": "yes",
    });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(plan.problems.map((p) => p.field).sort()).toEqual([
      "dunning.consolidate",
      "outbox.limits.perMinute",
      "outbox.sendWindow.end",
    ]);
    const said = Object.fromEntries(plan.problems.map((p) => [p.field, p.message]));
    expect(said["outbox.sendWindow.end"]).toBe(
      'Latest send time: "25:00" is not allowed; it must be a time like 21:00.',
    );
    expect(said["outbox.limits.perMinute"]).toBe(
      "SMS parts per minute: 0 is not allowed; it must be a whole number of SMS parts, 1 or more.",
    );
    expect(said["dunning.consolidate"]).toBe(
      'One message per account and day: "yes" is not allowed; it must be on or off.',
    );
    // never the schema's own language
    expect(JSON.stringify(plan.problems)).not.toMatch(/\^|pattern|must match|expected/);
    expect(() => readFileSync(overlayPath(dataDir))).toThrow();
  });

  it("refuses keys the panel does not own, keys fixed by the environment, and bad MQTT topics", () => {
    const { dataDir, file } = setup();
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), { DUEGATE_MQTT__URL: "mqtt://broker:1883" });
    const plan = overlay.plan(loadConfig({ file, env: {} }).config, {
      "modem.port": "/dev/ttyUSB0",
      "mqtt.url": "mqtt://other:1883",
      "mqtt.baseTopic": "a/#",
    });
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect(Object.fromEntries(plan.problems.map((p) => [p.field, p.message]))).toEqual({
      "modem.port": "modem.port cannot be changed from the panel",
      "mqtt.url": expect.stringMatching(/^Broker address is set by DUEGATE_MQTT__URL/),
      "mqtt.baseTopic":
        'Base topic: "a/#" is not allowed; it must be topic levels like duegate or office/billing, without + or #.',
    });
    expect(overlay.view(loadConfig({ file, env: {} }).config).locked).toEqual({ "mqtt.url": "DUEGATE_MQTT__URL" });
  });

  it("never shows a secret: the view says set or not set", async () => {
    const { dataDir, file } = setup();
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), {});
    const before = overlay.view(loadConfig({ file, env: {} }).config);
    expect(before.secrets).toEqual({ "mqtt.password": "not set", "email.password": "not set" });
    const plan = overlay.plan(loadConfig({ file, env: {} }).config, { "mqtt.password": "hunter2hunter2" });
    if (!plan.ok) throw new Error("refused");
    await overlay.save(plan.overlay);
    const view = overlay.view(plan.config);
    expect(view.secrets).toEqual({ "mqtt.password": "set", "email.password": "not set" });
    expect(JSON.stringify(view)).not.toContain("hunter2");
    expect(view.fromPanel).toEqual(["mqtt.password"]);
    // The modems list has a page of its own (the Modem page): not a field of the Settings page.
    expect(view.keys).toEqual(PANEL_SETTINGS.filter((k) => k !== "modems"));
  });

  it("keeps the modems list from the Settings page's view, PINs and all, and reloads it over the file's list", async () => {
    const { dataDir, file } = setup("modems:\n  - { id: one, port: sim }\n");
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), {});
    const modems = [
      { id: "one", port: "sim", pin: "2468" },
      { id: "two", port: "tcp://127.0.0.1:7000" },
    ];
    const plan = overlay.plan(loadConfig({ file, env: {} }).config, { modems });
    if (!plan.ok) throw new Error(JSON.stringify(plan.problems));
    expect(plan.changed).toEqual(["modems"]);
    await overlay.save(plan.overlay);
    const view = overlay.view(plan.config);
    expect(view.keys).not.toContain("modems");
    expect(JSON.stringify(view)).not.toContain("2468");
    expect(loadConfig({ file, env: {} }).config.modems.map((m) => m.id)).toEqual(["one", "two"]);
  });

  it("refuses a bad value inside a modems entry beside that entry's field, without echoing a PIN", () => {
    const { dataDir, file } = setup();
    const overlay = SettingsOverlay.open(dataDir, silentLogger(), {});
    const plan = overlay.plan(loadConfig({ file, env: {} }).config, {
      modems: [
        { id: "one", port: "sim", pin: "12x" },
        { id: "two", port: "sim", limits: { partsPerMonth: 0 } },
        { id: "three", pin: "9753" },
      ],
    });
    if (plan.ok) throw new Error("taken");
    expect(plan.problems).toEqual([
      { field: "modems.0.pin", message: "SIM PIN: this value is not allowed; it must be 4 to 8 digits, or empty." },
      {
        field: "modems.1.limits.partsPerMonth",
        message: "SMS parts per month: 0 is not allowed; it must be a whole number of SMS parts, 1 or more.",
      },
      { field: "modems.2.port", message: "Port is needed." },
    ]);
    expect(JSON.stringify(plan.problems)).not.toMatch(/12x|9753/);
  });

  it("a hand-edited overlay with a key the panel does not own stops the start, naming the file", () => {
    const { dataDir, file } = setup();
    const dir = dataDir;
    mkdirSync(dir, { recursive: true });
    writeFileSync(overlayPath(dir), "modem:\n  port: /dev/ttyUSB9\n");
    try {
      loadConfig({ file, env: {} });
      expect.fail("loaded");
    } catch (e) {
      expect(isDuegateError(e)).toBe(true);
      expect((e as Error).message).toContain("settings.yaml: modem.port cannot be set from the web panel");
    }
  });

  it("lists every editable key from the brief, and each one validates with its default", () => {
    for (const key of [
      "outbox.sendWindow.end",
      "outbox.limits.perMinute",
      "outbox.retry.maxAttempts",
      "dunning.graceDays",
      "inbound.aliases",
      "gateway.ownNumber",
      "mqtt.mode",
      "mqtt.ca",
    ])
      expect(PANEL_SETTINGS).toContain(key);
    expect(PANEL_SETTINGS).not.toContain("modem.port");
    expect(() => validateConfig({})).not.toThrow();
  });
});
