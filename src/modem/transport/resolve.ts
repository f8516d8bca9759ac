import type { Logger } from "../../core/log.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { openSerial } from "./serial.js";
import { openTcp } from "./tcp.js";
import { findAgain, identityOf, listPorts, takenPaths, type PortIdentity, type PortInfo } from "./ports.js";
import type { Transport, TransportFactory } from "./transport.js";

export interface ResolveOptions {
  port: string;
  baudRate: number;
  logger: Logger;
  /** USB ids from the profile, used when the configured path has vanished and we never saw it. */
  usb?: ReadonlyArray<{ vendorId: string; productId: string }>;
  /** The in-process simulator's connector (port === "sim"). */
  simulator?: { connect(): Promise<Transport> };
  /** The ports the other modems of the pool are configured with, as they are now (a reload may change them). */
  otherPorts?: () => readonly string[];
  /** For tests: how ports are listed. */
  listPorts?: () => Promise<PortInfo[]>;
  /** For tests: how a port is opened once chosen. */
  open?: (path: string, baudRate: number) => Promise<Transport>;
}

/**
 * Turns the configured address into a re-callable factory: "sim", "tcp://host:port" or
 * a device path. For a device, the identity (USB ids, serial number) is remembered on the
 * first open, so that a modem that re-enumerates as ttyUSB3 instead of ttyUSB2 after a
 * reset (gammu #687, playsms #649) is found again without a config change.
 */
export function resolveTransport(opts: ResolveOptions): TransportFactory {
  if (opts.port === "sim") {
    const sim = opts.simulator;
    if (!sim)
      throw new DuegateError(ErrorCode.ConfigInvalid, `modem port "sim" needs a simulator instance`, {
        key: "modem.port",
      });
    return () => sim.connect();
  }
  if (opts.port.startsWith("tcp://")) return () => openTcp(opts.port);
  const list = opts.listPorts ?? listPorts;
  let identity: PortIdentity | undefined;
  let lastPath = opts.port;
  const open = opts.open ?? openSerial;
  return async () => {
    const ports = await list().catch(() => [] as PortInfo[]);
    // Another modem's port is never taken for this one, however alike the two devices are.
    const taken = await takenPaths(opts.otherPorts?.() ?? []);
    const found =
      findAgain(ports, { path: opts.port, identity, usb: opts.usb, taken }) ??
      findAgain(ports, { path: lastPath, ...(identity ? { identity } : {}), taken });
    if (!found && taken.has(opts.port))
      throw new DuegateError(
        ErrorCode.ModemUnplugged,
        `modem port ${opts.port} is now another modem's port; waiting for this modem to come back`,
        { port: opts.port, temporary: true },
      );
    // No listing (no udev, a pty) still lets us open the configured path directly.
    const path = found ? (found.byId && found.byId === opts.port ? found.byId : found.path) : opts.port;
    if (path !== opts.port && path !== lastPath)
      opts.logger.warn({ configured: opts.port, using: path }, "modem port found again under another name");
    const transport = await open(path, opts.baudRate);
    lastPath = path;
    identity = identityOf(ports, path) ?? identity;
    return transport;
  };
}
