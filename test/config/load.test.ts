import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { envToPath, loadConfig } from "../../src/config/load.js";
import { isDuegateError } from "../../src/core/errors.js";

function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "duegate-config-"));
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe("configuration", () => {
  it("fills every default when nothing is given", () => {
    const { config } = loadConfig({ env: {}, file: tempFile("empty.yaml", "") });
    expect(config.modem.port).toBe("sim");
    expect(config.outbox.sendWindow).toMatchObject({ start: "08:00", end: "21:00" });
    expect(config.mqtt.mode).toBe("embedded");
    expect(config.storage.historyRetentionDays).toBe(1096);
  });

  it("reads YAML, then DUEGATE_ variables, then flags, each overriding the one before", () => {
    const file = tempFile(
      "duegate.yaml",
      "modem:\n  port: /dev/ttyUSB2\n  pin: '1234'\noutbox:\n  sendWindow:\n    start: '09:00'\n",
    );
    const { config } = loadConfig({
      file,
      env: {
        DUEGATE_OUTBOX__SEND_WINDOW__START: "10:00",
        DUEGATE_MODEM__PIN: "0000",
        DUEGATE_OUTBOX__LIMITS__PER_MINUTE: "12",
        HOME: "/root",
      },
      overrides: { "modem.port": "sim" },
    });
    expect(config.modem.port).toBe("sim");
    expect(config.modem.pin).toBe("0000");
    expect(config.outbox.sendWindow.start).toBe("10:00");
    expect(config.outbox.limits.perMinute).toBe(12);
  });

  it("maps environment names to key paths", () => {
    expect(envToPath("DUEGATE_OUTBOX__SEND_WINDOW__START")).toBe("outbox.sendWindow.start");
    expect(envToPath("DUEGATE_MQTT__URL")).toBe("mqtt.url");
  });

  it("stops with the key, the value and what is expected", () => {
    const file = tempFile(
      "bad.yaml",
      "outbox:\n  sendWindow:\n    start: '25:00'\n  limits:\n    perMinute: -3\nmodem:\n  prot: sim\n",
    );
    try {
      loadConfig({ file, env: {} });
      expect.unreachable("an invalid config must not load");
    } catch (e) {
      expect(isDuegateError(e, "config.invalid")).toBe(true);
      const message = (e as Error).message;
      expect(message).toContain('outbox.sendWindow.start: "25:00" is invalid');
      expect(message).toContain("outbox.limits.perMinute: -3 is invalid, expected must be >= 1");
      expect(message).toContain("modem.prot: unknown key");
    }
  });

  it("names the file when the YAML itself is broken", () => {
    const file = tempFile("broken.yaml", "modem:\n  port: [unclosed\n");
    expect(() => loadConfig({ file, env: {} })).toThrow(/broken\.yaml is not valid YAML/);
  });

  it("says which file cannot be read", () => {
    expect(() => loadConfig({ file: "/nonexistent/duegate.yaml", env: {} })).toThrow(
      /cannot read config file \/nonexistent\/duegate.yaml/,
    );
  });
});
