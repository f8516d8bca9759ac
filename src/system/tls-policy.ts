/**
 * Whether the API and panel are served over HTTPS, and whether the session cookie is Secure:
 * derived from http.tls and http.listen in one place, so that the server, the start-up log
 * and `duegate doctor` (src/system/security-warnings.ts) agree.
 */
import { isLoopbackHost } from "./network-address.js";
import { parseListen } from "../config/listen.js";

export interface HttpTlsSettings {
  listen: string;
  tls: "auto" | "on" | "off";
  secureCookies: boolean;
}

/** HTTPS on: always for "on", never for "off", and for "auto" whenever the panel can be reached from the LAN. */
export function httpsEnabled(http: Pick<HttpTlsSettings, "listen" | "tls">): boolean {
  if (http.tls !== "auto") return http.tls === "on";
  return !isLoopbackHost(parseListen(http.listen).host);
}

/** Secure cookies (and HSTS) when duegate serves HTTPS, or when a TLS proxy in front of it does (http.secureCookies). */
export function secureCookiesEnabled(http: HttpTlsSettings): boolean {
  return httpsEnabled(http) || http.secureCookies;
}
