import { describe, expect, it } from "vitest";
import { statusOutcome } from "../../src/sms/index.js";

describe("TP-Status → outcome (TS 23.040 9.2.3.15)", () => {
  it.each([
    [0x00, { final: true, delivered: true, temporary: false }],
    [0x01, { final: true, delivered: true, temporary: false }],
    [0x02, { final: true, delivered: true, temporary: false }],
    [0x20, { final: false, delivered: false, temporary: true }],
    [0x21, { final: false, delivered: false, temporary: true }],
    [0x30, { final: false, delivered: false, temporary: true }],
    [0x41, { final: true, delivered: false, temporary: false }],
    [0x46, { final: true, delivered: false, temporary: false }],
    [0x55, { final: true, delivered: false, temporary: false }],
    [0x62, { final: true, delivered: false, temporary: true }],
    [0x7f, { final: true, delivered: false, temporary: true }],
    [0x80, { final: true, delivered: false, temporary: false }],
  ])("0x%s", (status, expected) => {
    expect(statusOutcome(status)).toMatchObject(expected);
  });

  it("names the cause", () => {
    expect(statusOutcome(0x46).text).toBe("validity period expired");
    expect(statusOutcome(0x31).text).toContain("SMSC-specific 0x31");
    expect(statusOutcome(0x27).text).toContain("reserved 0x27");
  });
});
