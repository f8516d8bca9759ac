import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { loadProfile, validateProfile } from "../../src/modem/driver/profile.js";
import { backoffMs, DEFAULT_RECOVERY, mayRetry, nextPhase, RecoveryPhase } from "../../src/modem/driver/recovery.js";

describe("modem profiles (firmware-config/profiles)", () => {
  it.each(["generic", "sim800", "sim7600", "ec25", "e3372"])("%s loads and validates", async (name) => {
    const p = await loadProfile(name);
    expect(p.name).toBe(name);
    expect(p.reset).toMatch(/^AT/);
    expect(p.cnmi.length).toBeGreaterThan(0);
    expect(p.timeouts.send).toBeGreaterThan(p.timeouts.command);
  });

  it("carries the Quectel SR quirk as a named flag", async () => {
    expect((await loadProfile("ec25")).compat.statusReportStorage).toBe("SR");
    expect((await loadProfile("generic")).compat.statusReportStorage).toBeUndefined();
  });

  it("names the file and the key of an invalid profile", async () => {
    expect(() => validateProfile({ name: "x", reset: "AT+CFUN=1,1", compat: { madeUp: true } }, "x.yaml")).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, context: { file: "x.yaml", key: "compat.madeUp" } }),
    );
    expect(() => validateProfile({ name: "x", reset: "AT+CFUN=1,1", timeouts: { send: 5 } }, "x.yaml")).toThrow(
      /timeouts.send/,
    );
    expect(() => validateProfile({ name: "x", reset: "AT+CFUN=1,1", init: ["CMEE=1"] }, "x.yaml")).toThrow(/init\[0\]/);
    await expect(loadProfile("nope")).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid });
    await expect(loadProfile("../etc/passwd")).rejects.toMatchObject({ code: ErrorCode.ConfigInvalid });
  });
});

describe("recovery ladder decisions", () => {
  it("retries a timed-out command once, and never a send", () => {
    expect(mayRetry({ retryable: true }, 0)).toBe(true);
    expect(mayRetry({ retryable: true }, 1)).toBe(false);
    expect(mayRetry({ retryable: false }, 0)).toBe(false);
  });

  it("backs off exponentially up to the maximum", () => {
    expect([0, 1, 2, 3].map((n) => backoffMs(n, DEFAULT_RECOVERY))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(30, DEFAULT_RECOVERY)).toBe(30_000);
  });

  it("climbs from reopen to reset to USB power cycle", () => {
    const o = { ...DEFAULT_RECOVERY, resetAfter: 3, powerCycleAfter: 6 };
    expect([1, 2, 3, 4, 5, 6].map((f) => nextPhase(f, o, true))).toEqual([
      RecoveryPhase.Reopen,
      RecoveryPhase.Reopen,
      RecoveryPhase.Reset,
      RecoveryPhase.Reopen,
      RecoveryPhase.Reopen,
      RecoveryPhase.PowerCycle,
    ]);
    expect(nextPhase(6, o, false)).toBe(RecoveryPhase.Reset);
  });
});
