import { DuegateError, ErrorCode } from "../../core/errors.js";
import { EndSignal, type Transport } from "../transport/transport.js";

/** The simulator's side of a connection: where its output goes. */
export interface SimLink {
  send(bytes: Uint8Array): void;
  /** The connection goes away ("unplugged" for the host). */
  drop(): void;
}

/**
 * An in-process byte pipe between the driver and the simulator: the "binding of our own"
 * the unit tests and `duegate demo` use. Bytes cross in a microtask: never re-entrantly
 * (the writer's stack unwinds first), but without an event-loop turn per hop, so a loaded
 * machine's scheduling does not show up as driver overhead in bench:modem.
 */
export function inProcessPair(deliverToSim: (bytes: Uint8Array) => void): { transport: Transport; link: SimLink } {
  const end = new EndSignal();
  let listener: (chunk: Uint8Array) => void = () => {};
  const transport: Transport = {
    description: "sim",
    onData(fn) {
      listener = fn;
    },
    write(bytes) {
      if (end.settled)
        return Promise.reject(
          new DuegateError(ErrorCode.ModemUnplugged, "simulated modem is disconnected", { port: "sim" }),
        );
      const copy = Uint8Array.from(bytes);
      queueMicrotask(() => {
        if (!end.settled) deliverToSim(copy);
      });
      return Promise.resolve();
    },
    close() {
      end.settle("closed");
      return Promise.resolve();
    },
    ended: end.promise,
  };
  const link: SimLink = {
    send(bytes) {
      if (end.settled) return;
      const copy = Uint8Array.from(bytes);
      queueMicrotask(() => {
        if (!end.settled) listener(copy);
      });
    },
    drop() {
      end.settle("unplugged");
    },
  };
  return { transport, link };
}
