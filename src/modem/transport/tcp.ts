import { connect, type Socket } from "node:net";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { EndSignal, type Transport } from "./transport.js";

/** Parses "tcp://host:port" (ser2net, industrial modems, the simulator's TCP server). */
export function parseTcpAddress(address: string): { host: string; port: number } {
  const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(address);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new DuegateError(ErrorCode.ConfigInvalid, `modem port "${address}" is not tcp://host:port`, {
      key: "modem.port",
      value: address,
    });
  }
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port };
}

/** A raw TCP byte stream; the peer closing is treated like an unplug (reopen with backoff). */
export async function openTcp(address: string, connectTimeoutMs = 5000): Promise<Transport> {
  const { host, port } = parseTcpAddress(address);
  const socket: Socket = await new Promise((resolve, reject) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => s.destroy(new Error("connect timeout")), connectTimeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once("error", (err) => {
      clearTimeout(timer);
      reject(
        new DuegateError(
          ErrorCode.ModemUnplugged,
          `cannot connect to ${address}: ${err.message}`,
          { port: address },
          { cause: err },
        ),
      );
    });
  });
  socket.setNoDelay(true);
  const end = new EndSignal();
  let closing = false;
  let listener: (chunk: Uint8Array) => void = () => {};
  socket.on("data", (chunk) => listener(chunk));
  socket.on("error", () => {
    /* followed by close */
  });
  socket.on("close", () => end.settle(closing ? "closed" : "unplugged"));
  return {
    description: address,
    onData(fn) {
      listener = fn;
    },
    write(bytes) {
      return new Promise((resolve, reject) => {
        if (end.settled || socket.destroyed) {
          reject(new DuegateError(ErrorCode.ModemUnplugged, `connection to ${address} is closed`, { port: address }));
          return;
        }
        socket.write(bytes, (err) =>
          err
            ? reject(
                new DuegateError(ErrorCode.ModemUnplugged, `write to ${address} failed: ${err.message}`, {
                  port: address,
                }),
              )
            : resolve(),
        );
      });
    },
    close() {
      closing = true;
      if (socket.destroyed) {
        end.settle("closed");
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        socket.once("close", () => resolve());
        socket.end();
        setTimeout(() => socket.destroy(), 500).unref();
      });
    },
    ended: end.promise,
  };
}
