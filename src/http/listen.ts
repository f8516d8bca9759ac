/**
 * Listening on http.listen, with the refusal a technician can act on: which address, why, and
 * what to change. Node's own error ("listen EADDRINUSE: address already in use") names neither
 * the setting nor the way out.
 */
import type { FastifyInstance } from "fastify";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";

export async function listenOn(server: FastifyInstance, host: string, port: number): Promise<number> {
  try {
    await server.listen({ host, port });
  } catch (e) {
    // A server that could not listen is closed: its plugins' hooks and timers end with it.
    await server.close().catch(() => undefined);
    throw listenError(e, host, port);
  }
  const address = server.server.address();
  return typeof address === "object" && address ? address.port : port;
}

export function listenError(e: unknown, host: string, port: number): DuegateError {
  const where = `${host.includes(":") ? `[${host}]` : host}:${port}`;
  const code = (e as { code?: unknown }).code;
  const fix = "change http.listen in the configuration or pass --http host:port";
  const message =
    code === "EADDRINUSE"
      ? `cannot listen on ${where}: the address is already in use (another duegate or another program holds the port; \`ss -ltnp 'sport = :${port}'\` shows which): stop it, or ${fix}`
      : code === "EACCES"
        ? `cannot listen on ${where}: permission denied (ports below 1024 need privileges): ${fix}`
        : code === "EADDRNOTAVAIL"
          ? `cannot listen on ${where}: this machine has no such address: ${fix}`
          : `cannot listen on ${where}: ${errorMessage(e)}`;
  return new DuegateError(
    ErrorCode.ListenFailed,
    message,
    { key: "http.listen", address: where, ...(typeof code === "string" ? { code } : {}) },
    { cause: e },
  );
}
