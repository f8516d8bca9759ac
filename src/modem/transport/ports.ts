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
}

/**
 * Finds the port again after a reset or replug made it come back under another ttyUSB name:
 * first the same by-id link, then the same vendor/product/serial, then a profile's USB ids.
 */
export function findAgain(
  ports: readonly PortInfo[],
  wanted: { path: string; identity?: PortIdentity; usb?: ReadonlyArray<{ vendorId: string; productId: string }> },
): PortInfo | undefined {
  const exact = ports.find((p) => p.path === wanted.path || p.byId === wanted.path);
  if (exact) return exact;
  const id = wanted.identity;
  if (id?.vendorId && id.productId) {
    const same = ports.filter(
      (p) =>
        p.vendorId === id.vendorId &&
        p.productId === id.productId &&
        (!id.serialNumber || p.serialNumber === id.serialNumber),
    );
    if (same.length > 0) return same[Math.min(id.ttyOrder ?? 0, same.length - 1)];
  }
  for (const u of wanted.usb ?? []) {
    const hit = ports.find((p) => p.vendorId === u.vendorId.toLowerCase() && p.productId === u.productId.toLowerCase());
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
  };
}

export const portBaseName = (path: string): string => basename(path);
