/**
 * The serial transport (src/modem/transport/serial.ts) on node-serialport's mock binding
 * (@serialport/binding-mock): open, write, data, close, errors and an unplug, without hardware.
 * The same transport on a real pseudo-terminal is covered by test/modem/pty.e2e.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { SerialPortMock } from "serialport";
import { openSerial } from "../../src/modem/transport/serial.js";
import { ErrorCode, isDuegateError } from "../../src/core/errors.js";

const PATH = "/dev/duegate-test-modem";
// @serialport/binding-mock's MockBinding, taken through serialport's re-export: the package's
// own "exports" map gives ESM importers no type declarations.
const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

/** MockBinding whose open port can be pulled out: its pending read fails as a USB unplug does. */
function unpluggableBinding(): {
  binding: typeof MockBinding;
  port: () => MockPortBinding;
  readsPending: () => number;
  unplug: () => void;
} {
  let port: MockPortBinding | undefined;
  const unplugs: Array<() => void> = [];
  const binding: typeof MockBinding = {
    ...MockBinding,
    async open(options) {
      const p = await MockBinding.open(options);
      const read = p.read.bind(p);
      p.read = (buffer, offset, length) =>
        new Promise((resolve, reject) => {
          unplugs.push(() => reject(Object.assign(new Error("device removed"), { disconnected: true })));
          read(buffer, offset, length).then(resolve, reject);
        });
      port = p;
      return p;
    },
  };
  return {
    binding,
    port: () => port!,
    readsPending: () => unplugs.length,
    unplug: () => {
      for (const u of unplugs.splice(0)) u();
    },
  };
}

afterEach(() => MockBinding.reset());

describe("serial transport on the mock binding", () => {
  it("writes bytes to the port and hands the modem's bytes to its listener", async () => {
    MockBinding.createPort(PATH, { record: true });
    const mock = unpluggableBinding();
    const t = await openSerial(PATH, 115_200, mock.binding);
    expect(t.description).toBe(PATH);
    const got: string[] = [];
    t.onData((chunk) => got.push(Buffer.from(chunk).toString()));
    await t.write(new TextEncoder().encode("AT+CSQ\r"));
    expect(mock.port().recording.toString()).toBe("AT+CSQ\r");
    mock.port().emitData("\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    await expect.poll(() => got.join("")).toBe("\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    await t.close();
  });

  it("ends as closed after close(), and refuses writes then", async () => {
    MockBinding.createPort(PATH);
    const t = await openSerial(PATH, 115_200, MockBinding);
    await t.close();
    await expect(t.ended).resolves.toBe("closed");
    const err = await t.write(new Uint8Array([0x41])).catch((e: unknown) => e);
    expect(isDuegateError(err, ErrorCode.ModemUnplugged)).toBe(true);
    await t.close(); // idempotent
  });

  it("ends as unplugged when the device goes away under a read", async () => {
    MockBinding.createPort(PATH);
    const mock = unpluggableBinding();
    const t = await openSerial(PATH, 115_200, mock.binding);
    t.onData(() => {});
    await expect.poll(() => mock.readsPending()).toBeGreaterThan(0);
    mock.unplug();
    await expect(t.ended).resolves.toBe("unplugged");
  });

  it("ends as unplugged on an error from the open port", async () => {
    MockBinding.createPort(PATH);
    const mock = unpluggableBinding();
    const t = await openSerial(PATH, 115_200, mock.binding);
    const failing = mock.port();
    failing.write = () => Promise.reject(new Error("EIO: i/o error"));
    const err = await t.write(new Uint8Array([0x41])).catch((e: unknown) => e);
    expect(isDuegateError(err, ErrorCode.ModemUnplugged)).toBe(true);
    expect(String((err as Error).message)).toMatch(/write to \/dev\/duegate-test-modem failed: .*EIO/);
    await expect(t.ended).resolves.toBe("unplugged");
  });

  it("names the port when it cannot be opened, and a port held by another process", async () => {
    const missing = await openSerial("/dev/no-such-modem", 115_200, MockBinding).catch((e: unknown) => e);
    expect(isDuegateError(missing, ErrorCode.ModemUnplugged)).toBe(true);
    expect(String((missing as Error).message)).toMatch(/cannot open serial port \/dev\/no-such-modem/);

    MockBinding.createPort(PATH);
    const first = await openSerial(PATH, 115_200, MockBinding);
    const second = await openSerial(PATH, 115_200, MockBinding).catch((e: unknown) => e);
    expect(String((second as Error).message)).toMatch(/cannot open serial port \/dev\/duegate-test-modem: .*lock/i);
    await first.close();
  });
});
