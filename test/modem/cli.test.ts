import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import { formatDoctor, maskImsi, runDoctor } from "../../src/cli/doctor.js";
import { runSend } from "../../src/cli/send.js";
import { ModemSimulator } from "../../src/modem/index.js";

describe("duegate doctor", () => {
  it("passes every check on a healthy modem and masks the IMSI", async () => {
    const report = await runDoctor({ port: "sim", baudRate: 115200, profile: "generic", logger: silentLogger() });
    const byName = Object.fromEntries(report.checks.map((c) => [c.name, c]));
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(Object.keys(byName)).toEqual([
      "serial ports",
      "profile",
      "port opens",
      "AT answers",
      "model / firmware",
      "SIM",
      "IMSI",
      "signal",
      "registration",
      "operator",
      "SMS centre",
      "SMS storage",
    ]);
    expect(byName.IMSI!.detail).toBe("26201********90");
    expect(byName.signal!.detail).toBe("-71 dBm (rssi 21, 4/4 bars)");
    // A technician must not mistake the simulator for the modem: the first and the last line say so.
    expect(report.target).toEqual({ port: "sim", simulator: true });
    expect(formatDoctor(report)).toMatch(/^tested the built-in simulator, not a real modem .*--modem /);
    expect(formatDoctor(report)).toMatch(/\n\[ ok \] serial ports/);
    expect(formatDoctor(report)).toMatch(/all checks passed on the simulator, not a real modem$/);
  });

  it("fails the SIM check with a hint when a PIN is needed and none is configured, and stops there", async () => {
    const sim = new ModemSimulator();
    sim.fault.simPin("1234");
    const report = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      logger: silentLogger(),
      simulator: sim,
    });
    const simCheck = report.checks.find((c) => c.name === "SIM")!;
    expect(simCheck).toMatchObject({ ok: false, detail: "SIM PIN", hint: expect.stringMatching(/modem.pin/) });
    expect(report.checks.at(-1)!.name).toBe("SIM");
    expect(formatDoctor(report)).toMatch(/\[FAIL\] SIM: SIM PIN\n\s+hint: /);
  });

  it("enters the configured PIN, and reports a missing network with a hint", async () => {
    const sim = new ModemSimulator();
    sim.fault.simPin("1234");
    sim.fault.noNetwork(60_000);
    const report = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      pin: "1234",
      logger: silentLogger(),
      simulator: sim,
    });
    expect(report.checks.find((c) => c.name === "SIM")).toMatchObject({ ok: true, detail: "READY (PIN entered)" });
    expect(report.checks.find((c) => c.name === "registration")).toMatchObject({
      ok: false,
      detail: "searching",
      hint: expect.any(String),
    });
  });

  it("reports a port that does not exist and one that does not answer", async () => {
    const gone = await runDoctor({
      port: "/dev/ttyUSB-not-there",
      baudRate: 115200,
      profile: "generic",
      logger: silentLogger(),
    });
    // The first failure names the path, its hint speaks of by-id names and udev; the summary repeats it.
    expect(gone.checks.find((c) => !c.ok)).toMatchObject({
      name: "serial ports",
      detail: expect.stringMatching(/^\/dev\/ttyUSB-not-there: no such file or device/),
      hint: expect.stringMatching(/by-id.*udev/),
    });
    expect(gone.checks.find((c) => c.name === "port opens")).toMatchObject({
      ok: false,
      detail: expect.stringContaining("/dev/ttyUSB-not-there"),
    });
    expect(formatDoctor(gone)).toMatch(/^tested on \/dev\/ttyUSB-not-there\n/);
    expect(formatDoctor(gone)).toMatch(/the first: serial ports: \/dev\/ttyUSB-not-there: no such file/);
    const sim = new ModemSimulator();
    sim.fault.hang();
    const mute = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      logger: silentLogger(),
      simulator: sim,
    });
    expect(mute.checks.find((c) => c.name === "AT answers")).toMatchObject({
      ok: false,
      detail: "no answer to AT on the simulator",
      hint: expect.stringMatching(/ttyUSB2.*baud rate.*another program/),
    });
  }, 20_000);

  it("suggests the matching profile from the model", async () => {
    const report = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      logger: silentLogger(),
      simulator: new ModemSimulator({ model: "EC25" }),
    });
    expect(report.checks.find((c) => c.name === "model / firmware")?.hint).toBeUndefined(); // generic has no model pattern
    const wrong = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "sim800",
      logger: silentLogger(),
      simulator: new ModemSimulator({ model: "EC25" }),
    });
    expect(wrong.checks.find((c) => c.name === "model / firmware")?.hint).toMatch(/ec25/);
  });

  it("masks the subscriber digits of an IMSI", () => {
    expect(maskImsi("262011234567890")).toBe("26201********90");
    expect(maskImsi("123")).toBe("***");
  });
});

describe("duegate send", () => {
  it("sends a multipart message and returns each part's reference", async () => {
    const sim = new ModemSimulator({ sendLatencyMs: 5 });
    const result = await runSend({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      to: "+491701234567",
      text: "Test from the technician ✓ ".repeat(5),
      logger: silentLogger(),
      simulator: sim,
    });
    expect(result.parts.length).toBeGreaterThan(1);
    expect(result.parts).toEqual(result.parts.map((_, i) => ({ index: i + 1, reference: i })));
    expect(sim.sent).toHaveLength(result.parts.length);
  });

  it("says why when the modem is not ready", async () => {
    const sim = new ModemSimulator();
    sim.fault.simPin("1234");
    await expect(
      runSend({
        port: "sim",
        baudRate: 115200,
        profile: "generic",
        to: "+491701234567",
        text: "x",
        logger: silentLogger(),
        simulator: sim,
        readyTimeoutMs: 300,
      }),
    ).rejects.toMatchObject({ code: ErrorCode.ModemNotReady, message: expect.stringMatching(/PIN/) });
  });
});
