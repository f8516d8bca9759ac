import { readdir, readFile, readlink, realpath } from "node:fs/promises";
import { basename, dirname, join, resolve as resolvePath } from "node:path";
import { SerialPort } from "serialport";

/** A serial port on this machine, with its stable /dev/serial/by-id name when udev made one. */
export interface PortInfo {
  path: string;
  byId?: string;
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  manufacturer?: string;
}

const BY_ID = "/dev/serial/by-id";

/**
 * Lists serial ports, by-id names first (zwave-js bindings/node.ts does the same).
 * SerialPort.list() needs udevadm; on a minimal system without it we read sysfs, so
 * doctor and the re-enumeration search still work.
 */
export async function listPorts(): Promise<PortInfo[]> {
  const byId = await byIdLinks();
  let ports: PortInfo[];
  try {
    ports = (await SerialPort.list()).map((p) => ({
      path: p.path,
      vendorId: p.vendorId?.toLowerCase(),
      productId: p.productId?.toLowerCase(),
      serialNumber: p.serialNumber,
      manufacturer: p.manufacturer,
    }));
  } catch {
    ports = await sysfsPorts();
  }
  for (const p of ports) p.byId = byId.get(p.path);
  return ports.sort((a, b) => Number(Boolean(b.byId)) - Number(Boolean(a.byId)) || a.path.localeCompare(b.path));
}

/** Map of /dev/ttyUSBn → /dev/serial/by-id/<name>. */
async function byIdLinks(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = await readdir(BY_ID);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const target = resolvePath(BY_ID, await readlink(join(BY_ID, name)));
      out.set(target, join(BY_ID, name));
    } catch {
      /* a dangling link: the device just went away */
    }
  }
  return out;
}

async function sysfsPorts(): Promise<PortInfo[]> {
  let names: string[];
  try {
    names = (await readdir("/sys/class/tty")).filter((n) => /^tty(USB|ACM)\d+$/.test(n));
  } catch {
    return [];
  }
  const out: PortInfo[] = [];
  for (const name of names) {
    const info: PortInfo = { path: `/dev/${name}` };
    try {
      // Walk up from the tty's device to the USB device directory, which holds idVendor.
      let dir = await realpath(`/sys/class/tty/${name}/device`);
      for (let i = 0; i < 4 && dir !== "/"; i++, dir = dirname(dir)) {
        try {
          info.vendorId = (await readFile(join(dir, "idVendor"), "utf8")).trim().toLowerCase();
          info.productId = (await readFile(join(dir, "idProduct"), "utf8")).trim().toLowerCase();
          info.serialNumber = (await readFile(join(dir, "serial"), "utf8").catch(() => "")).trim() || undefined;
          break;
        } catch {
          /* not the USB device level yet */
        }
      }
    } catch {
      /* not a USB tty */
    }
    out.push(info);
  }
  return out;
}

/** The identity we remember of an opened port, to find it again after re-enumeration. */
export interface PortIdentity {
  vendorId?: string;
  productId?: string;
  serialNumber?: string;
  /** The USB interface's tty order among the same device's ports (ttyUSB2 of 0..3). */
  ttyOrder?: number;
  /** How many ttys the device had (a Quectel EC25: 4); more ports with its ids and no serial number mean several such devices. */
  ttyCount?: number;
}

export interface FindAgainWanted {
  path: string;
  identity?: PortIdentity;
  usb?: ReadonlyArray<{ vendorId: string; productId: string }>;
  /**
   * Ports that belong to another modem of the pool (their configured paths, by-id links resolved
   * to the tty they point at): never taken, however alike the devices are.
   */
  taken?: ReadonlySet<string>;
}

/**
 * Finds the port again after a reset or replug made it come back under another ttyUSB name:
 * first the same by-id link (or configured path), then the same vendor/product/serial number,
 * then, for a port never opened, a profile's USB ids. Several identical modems on one hub look
 * alike but for their serial numbers: a known serial number is matched exactly, a port of
 * another pool member is never taken, and when devices without a serial number cannot be told
 * apart, none is guessed.
 */
export function findAgain(ports: readonly PortInfo[], wanted: FindAgainWanted): PortInfo | undefined {
  const taken = wanted.taken ?? new Set<string>();
  const takenPorts = ports.filter((p) => taken.has(p.path) || (p.byId !== undefined && taken.has(p.byId)));
  const alike = (a: PortInfo, b: PortInfo): boolean => a.vendorId === b.vendorId && a.productId === b.productId;
  // Every tty of another member's device is its (a modem has several: if00..if03), when its serial number tells the device.
  const isTaken = (p: PortInfo): boolean =>
    takenPorts.some(
      (t) => t === p || (t.serialNumber !== undefined && alike(t, p) && t.serialNumber === p.serialNumber),
    );
  const free = (p: PortInfo | undefined): PortInfo | undefined => (p && !isTaken(p) ? p : undefined);
  const id = wanted.identity;
  const sameDevice = (p: PortInfo): boolean =>
    p.vendorId === id?.vendorId &&
    p.productId === id?.productId &&
    (!id?.serialNumber || p.serialNumber === id.serialNumber);
  const exact = ports.find((p) => p.path === wanted.path || p.byId === wanted.path);
  // A tty name seen before may now be another device: with a known serial number, only its own.
  if (exact && (!id?.serialNumber || exact.serialNumber === undefined || sameDevice(exact))) return free(exact);
  if (id?.vendorId && id.productId) {
    // Counted over every port, taken or not, so that the interface order stays that of the device.
    const same = ports.filter(sameDevice).sort((a, b) => a.path.localeCompare(b.path, undefined, { numeric: true }));
    const ambiguous = !id.serialNumber && id.ttyCount !== undefined && same.length > id.ttyCount;
    if (same.length > 0 && !ambiguous) return free(same[Math.min(id.ttyOrder ?? 0, same.length - 1)]);
    return undefined;
  }
  // Never opened: a profile's USB ids, on a port no other modem of the pool is configured with.
  for (const u of wanted.usb ?? []) {
    const ids = { vendorId: u.vendorId.toLowerCase(), productId: u.productId.toLowerCase() };
    // Another member's device of this model without a serial number: its other ttys cannot be told from ours.
    if (takenPorts.some((t) => t.serialNumber === undefined && alike(t, { path: "", ...ids }))) continue;
    const hit = ports.find((p) => alike(p, { path: "", ...ids }) && free(p));
    if (hit) return hit;
  }
  return undefined;
}

export function identityOf(ports: readonly PortInfo[], path: string): PortIdentity | undefined {
  const p = ports.find((x) => x.path === path || x.byId === path);
  if (!p?.vendorId) return undefined;
  const siblings = ports
    .filter((x) => x.vendorId === p.vendorId && x.productId === p.productId && x.serialNumber === p.serialNumber)
    .map((x) => x.path);
  siblings.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  return {
    vendorId: p.vendorId,
    productId: p.productId,
    serialNumber: p.serialNumber,
    ttyOrder: Math.max(0, siblings.indexOf(p.path)),
    ttyCount: siblings.length,
  };
}

/**
 * The paths the other modems of the pool are configured with, and the ttys their by-id links
 * point at now (realpath): the ports a search by USB ids must leave alone. A path that does not
 * resolve (unplugged) is kept as written.
 */
export async function takenPaths(
  paths: readonly string[],
  resolveLink: (path: string) => Promise<string> = realpath,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const p of paths) {
    out.add(p);
    try {
      out.add(await resolveLink(p));
    } catch {
      /* not there now: only its name is known */
    }
  }
  return out;
}

export const portBaseName = (path: string): string => basename(path);
