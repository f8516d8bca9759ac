/**
 * Which listen addresses stay on this machine. A loopback address is reachable only from the
 * appliance itself; anything else (0.0.0.0, ::, a LAN address, a host name) may be reached
 * from the LAN, where a password or a debtor's data must not travel in clear.
 */
import { isIP } from "node:net";

export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost")) return true;
  if (isIP(h) === 4) return h.startsWith("127.");
  if (isIP(h) === 6) return h === "::1" || h === "0:0:0:0:0:0:0:1" || /^::ffff:127\./.test(h);
  return false;
}
