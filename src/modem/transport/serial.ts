import { SerialPort } from "serialport";
import { SerialPortStream, type OpenOptions } from "@serialport/stream";
import { DuegateError, ErrorCode, errorMessage } from "../../core/errors.js";
import { EndSignal, type Transport } from "./transport.js";

/**
 * A serial device through node-serialport (native binding). A USB unplug surfaces as a
 * close event whose error carries `disconnected: true` (serialport DisconnectedError); that,
 * or any read error, ends the transport as "unplugged" so the driver starts its reopen loop.
 *
 * `binding` is node-serialport's seam between the stream and the operating system: the native
 * one by default, @serialport/binding-mock in the unit tests (test/modem/serial-transport.test.ts).
 */
export async function openSerial(
  path: string,
  baudRate: number,
  binding: OpenOptions["binding"] = SerialPort.binding,
): Promise<Transport> {
  const port = new SerialPortStream({ binding, path, baudRate, autoOpen: false, lock: true });
  await new Promise<void>((resolve, reject) =>
    port.open((err) =>
      err
        ? reject(
            new DuegateError(
              ErrorCode.ModemUnplugged,
              `cannot open serial port ${path}: ${err.message}`,
              { port: path },
              { cause: err },
            ),
          )
        : resolve(),
    ),
  );
  const end = new EndSignal();
  let closing = false;
  let listener: (chunk: Uint8Array) => void = () => {};
  port.on("data", (chunk: Buffer) => listener(chunk));
  port.on("close", () => end.settle(closing ? "closed" : "unplugged"));
  port.on("error", () => {
    // An error on an open port means the device is gone or unusable; close handles the rest.
    if (!closing && port.isOpen) port.close(() => end.settle("unplugged"));
    else end.settle(closing ? "closed" : "unplugged");
  });
  return {
    description: path,
    onData(fn) {
      listener = fn;
    },
    write(bytes) {
      return new Promise((resolve, reject) => {
        if (end.settled) {
          reject(new DuegateError(ErrorCode.ModemUnplugged, `serial port ${path} is closed`, { port: path }));
          return;
        }
        port.write(Buffer.from(bytes), (err) =>
          err
            ? reject(
                new DuegateError(ErrorCode.ModemUnplugged, `write to ${path} failed: ${errorMessage(err)}`, {
                  port: path,
                }),
              )
            : resolve(),
        );
      });
    },
    close() {
      closing = true;
      if (!port.isOpen) {
        end.settle("closed");
        return Promise.resolve();
      }
      return new Promise((resolve) =>
        port.close(() => {
          end.settle("closed");
          resolve();
        }),
      );
    },
    ended: end.promise,
  };
}
