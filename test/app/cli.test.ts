import { describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The `duegate` command as a technician types it (through tsx, as `npm run duegate --` does). */
function duegate(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "src/main.ts", ...args],
      { env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe("duegate CLI", () => {
  it("pdu encode prints the encoding, the part count and each part's hex", async () => {
    const r = await duegate([
      "pdu",
      "encode",
      "--to",
      "+4915123456789",
      "--text",
      "Grüße, Ihre Rechnung über 49,90 € ist fällig.",
      "--srr",
    ]);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { encoding: string; parts: number; pdus: string[] };
    expect(out.encoding).toBe("gsm7");
    expect(out.parts).toBe(1);
    expect(out.pdus[0]).toMatch(/^[0-9A-F]+$/);
  });

  it("pdu decode reads a delivered SMS", async () => {
    // 3GPP-style example: SMS-DELIVER from +31641600986, "How are you?"
    const r = await duegate([
      "pdu",
      "decode",
      "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ type: "deliver", text: "How are you?" });
  });

  it("pdu decode says what is wrong with a broken PDU and exits non-zero", async () => {
    const r = await duegate(["pdu", "decode", "0791FFFF"]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^duegate: .*(truncated|octet)/im);
  });

  it("config stops on an invalid file with the key, the value and what is expected (exit 78, no restart loop)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duegate-cli-"));
    const file = join(dir, "duegate.yaml");
    writeFileSync(file, "outbox:\n  sendWindow:\n    end: '24:30'\n");
    const r = await duegate(["config", "--config", file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('outbox.sendWindow.end: "24:30" is invalid');
  });

  it("config prints the effective configuration with secrets hidden", async () => {
    const r = await duegate(["config"], { DUEGATE_MQTT__PASSWORD: "s3cret-value", DUEGATE_MODEM__PIN: "4711" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain("s3cret-value");
    expect(r.stdout).not.toContain("4711");
    expect(JSON.parse(r.stdout)).toMatchObject({ modem: { port: "sim" } });
  });

  it("doctor says when it tested the simulator, and tests a modem of the pool chosen by --modem-id", async () => {
    const plain = await duegate(["doctor"]);
    expect(plain.stdout).toMatch(/^tested the built-in simulator, not a real modem/);
    expect(plain.stdout).toMatch(/all checks passed on the simulator, not a real modem/);
    const dir = mkdtempSync(join(tmpdir(), "duegate-cli-"));
    const file = join(dir, "duegate.yaml");
    const missing = join(dir, "ttyUSB-gone");
    writeFileSync(file, `modems:\n  - id: left\n    port: sim\n  - id: right\n    port: ${missing}\n`);
    const right = await duegate(["doctor", "--config", file, "--modem-id", "right"]);
    expect(right.code).toBe(2);
    expect(right.stdout).toMatch(new RegExp(`^tested modem right on ${missing}\n`));
    expect(right.stdout).toContain(`the first: serial ports: ${missing}: no such file or device`);
    const unknown = await duegate(["doctor", "--config", file, "--modem-id", "middle"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/--modem-id "middle": no such modem; the configured modems are left, right/);
  }, 90_000);

  it("doctor passes the default broker and warns about a plain LAN listener or anonymous clients, naming the key", async () => {
    const safe = await duegate(["doctor", "--modem", "sim"]);
    expect(safe.stdout).toMatch(/\[ ok \] MQTT broker: logins required, plain MQTT on 127\.0\.0\.1 only/);
    const open = await duegate(["doctor", "--modem", "sim"], {
      DUEGATE_MQTT__EMBEDDED__HOST: "0.0.0.0",
      DUEGATE_MQTT__EMBEDDED__ALLOW_ANONYMOUS_LOOPBACK: "true",
    });
    // A warning about the configuration, not a failure of the modem: the exit code stays the modem's.
    expect(open.code).toBe(0);
    expect(open.stdout).toMatch(
      /\[WARN\] MQTT broker: the embedded MQTT broker accepts unencrypted connections on 0\.0\.0\.0:1883/,
    );
    expect(open.stdout).toMatch(/warning\(s\): see the fixes above/);
    expect(open.stdout).toContain("fix: change mqtt.embedded.allowAnonymousLoopback");
  }, 60_000);
});
