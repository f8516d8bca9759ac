/**
 * The plain-HTTP listener of http.redirectFrom: it answers every request with a permanent
 * redirect (308, method and body kept) to the same path on the HTTPS panel, and serves
 * nothing else, so that a typed http:// address arrives without a password ever being sent
 * in clear. The host in the redirect comes from the request's Host header when that is a
 * plain host name or address, else from the address the request came in on.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { isIP } from "node:net";

export interface HttpsRedirectOptions {
  host: string;
  port: number;
  /** Port of the HTTPS listener the redirects point to. */
  httpsPort: number;
}

const HOST_NAME = /^[a-z0-9]([a-z0-9-]{0,62})(\.[a-z0-9]([a-z0-9-]{0,62}))*$/i;
const MAX_PATH = 4096;

export async function startHttpsRedirect(
  opts: HttpsRedirectOptions,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const location = httpsLocation(request, opts.httpsPort);
    response.writeHead(308, {
      location,
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "no-store",
      connection: "close",
    });
    response.end(`The duegate panel is served over HTTPS: ${location}\n`);
  });
  // A redirect needs no slow client: bound how long one may hold a socket.
  server.headersTimeout = 10_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** https://<host>:<port><path>; exported for tests. */
export function httpsLocation(request: Pick<IncomingMessage, "headers" | "url" | "socket">, httpsPort: number): string {
  const host = hostOf(request.headers.host) ?? hostOfAddress(request.socket.localAddress);
  const url = request.url ?? "/";
  // Only an origin-form path ("/..."): "//evil.example" or an absolute URL would move the redirect elsewhere.
  const path = url.startsWith("/") && !url.startsWith("//") && url.length <= MAX_PATH ? url : "/";
  return `https://${host}${httpsPort === 443 ? "" : `:${httpsPort}`}${path}`;
}

function hostOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bracketed = /^\[([0-9a-f:.]+)\](?::\d{1,5})?$/i.exec(header);
  if (bracketed && isIP(bracketed[1]!) === 6) return `[${bracketed[1]}]`;
  const plain = /^([^:]+)(?::\d{1,5})?$/.exec(header);
  if (plain && (isIP(plain[1]!) === 4 || HOST_NAME.test(plain[1]!))) return plain[1]!;
  return undefined;
}

function hostOfAddress(address: string | undefined): string {
  if (!address) return "localhost";
  const v4 = address.replace(/^::ffff:/, "");
  if (isIP(v4) === 4) return v4;
  return isIP(address) === 6 ? `[${address}]` : "localhost";
}
