import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import { maskDeep, maskNumber, maskText } from "../../src/core/mask.js";
import { createLogger } from "../../src/core/log.js";

describe("phone number masking", () => {
  it("keeps the country code and the last two digits", () => {
    expect(maskNumber("+4917612345678")).toBe("+491********78");
    expect(maskNumber("017612345678")).toBe("017*******78");
  });

  it("masks numbers inside free text but leaves short numbers alone", () => {
    expect(maskText("sent to +4917612345678 in 3 parts")).toBe("sent to +491********78 in 3 parts");
    expect(maskText("invoice 2026 of 12 items")).toBe("invoice 2026 of 12 items");
  });

  it("removes secrets and money from logged objects", () => {
    const out = maskDeep({
      to: "+4917612345678",
      password: "hunter2",
      balance: 12345,
      nested: { from: "+15551234567", pin: "1234" },
    });
    expect(out).toEqual({
      to: "+491********78",
      password: "[redacted]",
      balance: "[redacted]",
      nested: { from: "+155******67", pin: "[redacted]" },
    });
  });

  it("never lets a number reach the log output unmasked", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(chunk.toString());
        cb();
      },
    });
    const log = createLogger({ pretty: false, destination });
    log.info({ to: "+4917612345678", text: "Your balance is 12.00" }, "queued for +4917612345678");
    await new Promise((r) => setTimeout(r, 20));
    const all = lines.join("");
    expect(all).toContain("+491********78");
    expect(all).not.toContain("4917612345678");
    expect(all).not.toContain("12.00");
  });
});
