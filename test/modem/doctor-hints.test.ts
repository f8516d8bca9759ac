/**
 * `duegate doctor` names the path that failed and gives the hint for that failure: no such
 * device (by-id names, udev), permission (group dialout), held by another program, not a
 * serial device, no answer (port, baud rate), SIM PIN, not registered (antenna, coverage).
 */
import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { silentLogger } from "../../src/core/log.js";
import { runDoctor } from "../../src/cli/doctor.js";
import { portFailure } from "../../src/cli/port-failure.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";

const dir = mkdtempSync(join(tmpdir(), "duegate-doctor-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const asRoot = typeof process.getuid === "function" && process.getuid() === 0;

const doctor = (port: string, simulator?: ModemSimulator) =>
  runDoctor({
    port,
    baudRate: 115200,
    profile: "generic",
    logger: silentLogger(),
    ...(simulator ? { simulator } : {}),
  });
const firstFailure = async (port: string, simulator?: ModemSimulator) =>
  (await doctor(port, simulator)).checks.find((c) => !c.ok);

/** An error as the serial layer throws it: a DuegateError whose cause is the binding's error. */
function openError(message: string, code?: string): DuegateError {
  const cause = Object.assign(new Error(message), code ? { code } : {});
  return new DuegateError(
    ErrorCode.ModemUnplugged,
    `cannot open serial port /dev/ttyUSB2: ${message}`,
    { port: "/dev/ttyUSB2" },
    { cause },
  );
}

describe("duegate doctor: the failing path and the hint that fits it", () => {
  it("a path that does not exist: named, with by-id names and udev as the hint", async () => {
    const port = join(dir, "ttyUSB9");
    const first = await firstFailure(port);
    expect(first).toMatchObject({ name: "serial ports", detail: expect.stringContaining(`${port}: no such file`) });
    expect(first!.hint).toMatch(/by-id/);
    expect(first!.hint).toMatch(/udev/);
    expect(first!.hint).not.toMatch(/dialout/);
  });

  // A file nobody may open stands for a tty owned by root:dialout; root opens anything, so this needs another user.
  it.skipIf(asRoot)("a port without permission: named, with the dialout group as the hint", async () => {
    const port = join(dir, "ttyLOCKED");
    writeFileSync(port, "");
    chmodSync(port, 0o000);
    const first = await firstFailure(port);
    expect(first).toMatchObject({ name: "port opens", detail: expect.stringMatching(/ttyLOCKED: permission denied/) });
    expect(first!.hint).toMatch(/dialout/);
  });

  it("a path that is not a serial device: named, and said so", async () => {
    const port = join(dir, "plain-file");
    writeFileSync(port, "not a tty");
    chmodSync(port, 0o600);
    const first = await firstFailure(port);
    expect(first).toMatchObject({ name: "port opens", detail: expect.stringContaining(port) });
    // Opening a plain file fails either on its permission or, when it opens, on the serial ioctls.
    expect(first!.hint).toMatch(/not a serial device|dialout/);
  });

  it("classifies what the serial binding reports, by errno code or by message", () => {
    const cases: Array<[DuegateError, RegExp, string]> = [
      [openError("Error: No such file or directory, cannot open /dev/ttyUSB2"), /by-id/, "no such file or device"],
      [openError("EACCES: permission denied, open '/dev/ttyUSB2'", "EACCES"), /dialout/, "permission denied"],
      [openError("Error: Permission denied, cannot open /dev/ttyUSB2"), /dialout/, "permission denied"],
      [openError("Error Resource temporarily unavailable Cannot lock port"), /ModemManager/, "held by another program"],
      [openError("Error: Inappropriate ioctl for device, cannot set"), /not a serial device/, "not a serial device"],
    ];
    for (const [e, hint, what] of cases) {
      const f = portFailure("/dev/ttyUSB2", e);
      expect(f.detail).toMatch(new RegExp(`^/dev/ttyUSB2: ${what}`));
      expect(f.hint).toMatch(hint);
    }
    expect(portFailure("/dev/ttyUSB2", new Error("something odd")).hint).toMatch(/dmesg/);
  });

  it("a modem that does not answer: the port is named, the hint speaks of port and baud rate", async () => {
    const sim = new ModemSimulator();
    sim.fault.hang();
    const first = await firstFailure("sim", sim);
    expect(first).toMatchObject({ name: "AT answers", detail: "no answer to AT on the simulator" });
    expect(first!.hint).toMatch(/baud rate/);
  }, 20_000);

  it("a SIM that wants a PIN, and a modem without network: their own hints", async () => {
    const pin = new ModemSimulator();
    pin.fault.simPin("1234");
    expect(await firstFailure("sim", pin)).toMatchObject({ name: "SIM", hint: expect.stringMatching(/modem\.pin/) });
    const noNet = new ModemSimulator();
    noNet.fault.noNetwork(60_000);
    const report = await doctor("sim", noNet);
    expect(report.checks.find((c) => c.name === "registration")!.hint).toMatch(/antenna.*coverage/);
  }, 20_000);
});
