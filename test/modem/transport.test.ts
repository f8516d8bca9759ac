import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { ErrorCode } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import { createModem, ModemSimulator, type Modem } from "../../src/modem/index.js";
import { findAgain, identityOf, type PortInfo } from "../../src/modem/transport/ports.js";
import { parseTcpAddress } from "../../src/modem/transport/tcp.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { FAST, waitFor } from "./helpers.js";

describe("port discovery after re-enumeration", () => {
  const before: PortInfo[] = [
    {
      path: "/dev/ttyUSB0",
      vendorId: "2c7c",
      productId: "0125",
      serialNumber: "abc",
      byId: "/dev/serial/by-id/usb-Quectel_EC25-if00-port0",
    },
    { path: "/dev/ttyUSB1", vendorId: "2c7c", productId: "0125", serialNumber: "abc" },
    {
      path: "/dev/ttyUSB2",
      vendorId: "2c7c",
      productId: "0125",
      serialNumber: "abc",
      byId: "/dev/serial/by-id/usb-Quectel_EC25-if02-port0",
    },
    { path: "/dev/ttyUSB3", vendorId: "2c7c", productId: "0125", serialNumber: "abc" },
  ];
  const after = before.map((p, i) => ({ ...p, path: `/dev/ttyUSB${i + 4}`, byId: undefined }));

  it("finds the same by-id name first", () => {
    expect(findAgain(before, { path: "/dev/serial/by-id/usb-Quectel_EC25-if02-port0" })?.path).toBe("/dev/ttyUSB2");
  });

  it("finds the same interface of the same device by USB ids when ttyUSB2 came back as ttyUSB6", () => {
    const identity = identityOf(before, "/dev/ttyUSB2");
    expect(identity).toEqual({ vendorId: "2c7c", productId: "0125", serialNumber: "abc", ttyOrder: 2 });
    expect(findAgain(after, { path: "/dev/ttyUSB2", identity })?.path).toBe("/dev/ttyUSB6");
  });

  it("falls back to the profile's USB ids, and to nothing", () => {
    expect(findAgain(after, { path: "/dev/ttyUSB9", usb: [{ vendorId: "2C7C", productId: "0125" }] })?.path).toBe(
      "/dev/ttyUSB4",
    );
    expect(findAgain(after, { path: "/dev/ttyUSB9", usb: [{ vendorId: "12d1", productId: "1506" }] })).toBeUndefined();
  });

  it("parses tcp://host:port and names the config key when it is wrong", () => {
    expect(parseTcpAddress("tcp://10.0.0.5:4001")).toEqual({ host: "10.0.0.5", port: 4001 });
    expect(() => parseTcpAddress("tcp://host")).toThrow(
      expect.objectContaining({ code: ErrorCode.ConfigInvalid, context: { key: "modem.port", value: "tcp://host" } }),
    );
  });
});

describe("the driver over TCP (ser2net style)", () => {
  let modem: Modem | undefined;
  let server: { close(): Promise<void> } | undefined;
  afterEach(async () => {
    await modem?.stop();
    await server?.close();
  });

  it("sends and receives over tcp://, and reconnects after the peer went away", async () => {
    const sim = new ModemSimulator({ sendLatencyMs: 5 });
    const s = await sim.serveTcp(0);
    server = s;
    modem = createModem({
      port: `tcp://127.0.0.1:${s.port}`,
      baudRate: 115200,
      profile: "generic",
      healthIntervalMs: 60_000,
      clock: systemClock,
      logger: silentLogger(),
      ...FAST,
    });
    const got: string[] = [];
    modem.onInbound(async (p) => void got.push(p.text));
    await modem.start();
    expect(modem.ready).toBe(true);
    const part = encodeSubmit("Reminder over TCP", { to: "+491701234567", concatReference: 3 }).parts[0]!;
    await expect(modem.sendPart(part)).resolves.toEqual({ reference: 0 });
    sim.fault.unplug(200);
    await waitFor(() => modem!.health().state === "recovering", "recovering after the peer closed");
    await waitFor(() => modem!.ready, "reconnected", 8000);
    sim.injectInbound("+491701234567", "BALANCE");
    await waitFor(() => got.includes("BALANCE"), "inbound over TCP");
  });
});
