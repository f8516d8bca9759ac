/**
 * The Host header is checked against the names of this appliance (a DNS rebinding guard): a
 * web page on attacker.example whose name is re-pointed at the appliance's address makes the
 * browser send `Host: attacker.example`, and is refused here before any route runs. Names are
 * read from the machine once, at start.
 */
import { hostname, networkInterfaces } from "node:os";
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { excerpt } from "../core/excerpt.js";
import { sendError } from "./errors.js";

/** Misdirected Request: this server does not answer for that name (RFC 9110 15.5.20). */
const MISDIRECTED = 421;
export const HOST_NOT_ALLOWED = "http.host_not_allowed";

export interface MachineNames {
  hostname: string;
  addresses: string[];
}

export function machineNames(): MachineNames {
  const addresses = Object.values(networkInterfaces())
    .flatMap((list) => list ?? [])
    .map((i) => i.address.replace(/%.*$/, ""));
  return { hostname: hostname(), addresses };
}

/**
 * Every name a client may put in Host: localhost, the loopback addresses, the host name and
 * <hostname>.local (mDNS), every interface address, the listen address and the configured
 * names. null when the operator turned the check off with "*".
 */
export function allowedHostSet(
  configured: readonly string[],
  machine: MachineNames = machineNames(),
  listenHost?: string,
): Set<string> | null {
  if (configured.includes("*")) return null;
  const names = ["localhost", "127.0.0.1", "::1", ...machine.addresses, ...configured];
  const host = machine.hostname.toLowerCase();
  if (host) names.push(host, `${host.split(".")[0]}.local`, `${host}.local`);
  if (listenHost && listenHost !== "0.0.0.0" && listenHost !== "::") names.push(listenHost);
  return new Set(names.map(normaliseHostName));
}

/** "Example.LAN.:8080" → "example.lan"; "[fe80::1]:8080" → "fe80::1". undefined when it is not a host[:port]. */
export function hostOfHeader(header: string): string | undefined {
  const bracketed = /^\[([0-9a-fA-F:.]+)\](?::\d{1,5})?$/.exec(header);
  if (bracketed) return normaliseHostName(bracketed[1]!);
  const plain = /^([^:\s[\]/@]+)(?::\d{1,5})?$/.exec(header);
  return plain ? normaliseHostName(plain[1]!) : undefined;
}

function normaliseHostName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, "");
}

export function hostGuardHook(allowed: Set<string> | null): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    if (!allowed) return;
    const header = request.headers.host ?? "";
    const host = hostOfHeader(header);
    if (host !== undefined && allowed.has(host)) return;
    const shown = JSON.stringify(excerpt(header));
    return sendError(
      reply,
      MISDIRECTED,
      HOST_NOT_ALLOWED,
      header
        ? `the Host header ${shown} is not a name of this appliance: add it to http.allowedHosts (docs/http.md, "Allowed hosts") or use its address`
        : "the request has no Host header: send Host with the appliance's name or address",
    );
  };
}
