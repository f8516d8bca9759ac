import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/clock.js";
import { ErrorCode } from "../../src/core/errors.js";
import { silentLogger } from "../../src/core/log.js";
import { createModem, ModemSimulator, type Modem } from "../../src/modem/index.js";
import { findAgain, identityOf, takenPaths, type PortInfo } from "../../src/modem/transport/ports.js";
import { resolveTransport } from "../../src/modem/transport/resolve.js";
import type { Transport } from "../../src/modem/transport/transport.js";
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
    expect(identity).toEqual({ vendorId: "2c7c", productId: "0125", serialNumber: "abc", ttyOrder: 2, ttyCount: 4 });
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

describe("port discovery with several identical modems on one hub", () => {
  /** A Quectel EC25 on the hub: four ttys (if00..if03), the AT port if02, a by-id name per tty. */
  const ec25 = (serial: string | undefined, first: number): PortInfo[] =>
    [0, 1, 2, 3].map((i) => ({
      path: `/dev/ttyUSB${first + i}`,
      vendorId: "2c7c",
      productId: "0125",
      ...(serial ? { serialNumber: serial, byId: `/dev/serial/by-id/usb-Quectel_EC25_${serial}-if0${i}-port0` } : {}),
    }));
  const usb = [{ vendorId: "2c7c", productId: "0125" }];
  const bById = "/dev/serial/by-id/usb-Quectel_EC25_B2-if02-port0";

  it("never takes another member's modem for one never opened, by the profile's USB ids", () => {
    // a is unplugged; b (ttyUSB4..7) is configured by its by-id name, which points at ttyUSB6.
    const ports = ec25("B2", 4);
    const taken = new Set([bById, "/dev/ttyUSB6"]);
    const aById = "/dev/serial/by-id/usb-Quectel_EC25_A1-if02-port0";
    expect(findAgain(ports, { path: aById, usb, taken })).toBeUndefined();
    // Without serial numbers b's other ttys cannot be told from a's: none is guessed either.
    expect(findAgain(ec25(undefined, 4), { path: "/dev/ttyUSB2", usb, taken: new Set(["/dev/ttyUSB6"]) })).toBe(
      undefined,
    );
    // a plugged in beside b: its own port is found by the profile's ids.
    expect(findAgain([...ports, ...ec25("A1", 8)], { path: "/dev/ttyUSB99", usb, taken })?.path).toBe("/dev/ttyUSB8");
  });

  it("matches a known serial number exactly, also when its old tty name now belongs to another modem", () => {
    const before = [...ec25("A1", 0), ...ec25("B2", 4)];
    const identity = identityOf(before, "/dev/ttyUSB2");
    expect(identity).toMatchObject({ serialNumber: "A1", ttyOrder: 2, ttyCount: 4 });
    // a reset: b came back first as ttyUSB0..3, a as ttyUSB8..11; a was configured as /dev/ttyUSB2.
    const after = [...ec25("B2", 0), ...ec25("A1", 8)];
    expect(findAgain(after, { path: "/dev/ttyUSB2", identity, usb })?.path).toBe("/dev/ttyUSB10");
    // a gone for good: nothing, not b's ports.
    expect(findAgain(ec25("B2", 0), { path: "/dev/ttyUSB2", identity, usb })).toBeUndefined();
  });

  it("does not guess between identical modems without serial numbers", () => {
    const before = ec25(undefined, 0);
    const identity = identityOf(before, "/dev/ttyUSB2");
    expect(identity).toMatchObject({ ttyOrder: 2, ttyCount: 4 });
    // After a replug two such devices are listed, b's first: index 2 would be b's AT port.
    const after = [...ec25(undefined, 4), ...ec25(undefined, 8)];
    expect(findAgain(after, { path: "/dev/ttyUSB2", identity, taken: new Set(["/dev/ttyUSB6"]) })).toBeUndefined();
    // Alone on the hub it is found again as before.
    expect(findAgain(ec25(undefined, 8), { path: "/dev/ttyUSB2", identity })?.path).toBe("/dev/ttyUSB10");
  });

  it("resolves the other members' by-id links to the ttys they point at (realpath)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duegate-taken-"));
    try {
      mkdirSync(join(dir, "by-id"));
      writeFileSync(join(dir, "ttyUSB6"), "");
      symlinkSync("../ttyUSB6", join(dir, "by-id", "usb-Quectel_EC25_B2-if02-port0"));
      const gone = join(dir, "by-id", "usb-Quectel_EC25_C3-if02-port0");
      const taken = await takenPaths([join(dir, "by-id", "usb-Quectel_EC25_B2-if02-port0"), gone]);
      expect([...taken].sort()).toEqual(
        [join(dir, "by-id", "usb-Quectel_EC25_B2-if02-port0"), join(dir, "ttyUSB6"), gone].sort(),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the transport opens its own modem's port after a reset, never the other member's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "duegate-resolve-"));
    try {
      // b's by-id name is a real link to its tty, as udev makes it; the listing is a fake of the hub.
      mkdirSync(join(dir, "by-id"));
      const bTty = join(dir, "ttyUSB6");
      writeFileSync(bTty, "");
      const bLink = join(dir, "by-id", "usb-Quectel_EC25_B2-if02-port0");
      symlinkSync(bTty, bLink);
      const bPorts = ec25("B2", 4).map((p) => (p.path === "/dev/ttyUSB6" ? { ...p, path: bTty, byId: bLink } : p));
      let listed: PortInfo[] = [...ec25(undefined, 0), ...bPorts];
      const opened: string[] = [];
      const factory = resolveTransport({
        port: "/dev/ttyUSB2",
        baudRate: 115200,
        logger: silentLogger(),
        usb,
        otherPorts: () => [bLink],
        listPorts: async () => listed,
        open: async (path) => {
          opened.push(path);
          return { description: path } as Transport;
        },
      });
      await factory();
      expect(opened).toEqual(["/dev/ttyUSB2"]);
      // a vanished (pulled): its name is missing; b's ports are all that is listed.
      listed = bPorts;
      await factory();
      expect(opened.at(-1)).toBe("/dev/ttyUSB2");
      expect(opened).not.toContain(bTty);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
