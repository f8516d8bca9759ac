/**
 * Every route the server has, read from fastify's own route tree (printRoutes), so that a
 * route added next month is covered by the security and bad-input suites without anyone
 * remembering to list it.
 */
import type { FastifyInstance } from "fastify";

export interface RouteInfo {
  method: string;
  url: string;
}

/** Parses printRoutes({ commonPrefix: false }): "│   ├── /:id (GET, HEAD)" lines, 4 columns per level. */
export function listRoutes(server: FastifyInstance): RouteInfo[] {
  const text = server.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const out: RouteInfo[] = [];
  for (const line of text.split("\n")) {
    const m = /^([│ ├└─]*?)(?:[├└]── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = (m[1]!.length + 4) / 4 - 1;
    stack.length = depth;
    stack[depth] = m[2]!;
    const methods = m[3];
    if (!methods) continue;
    const url = stack.join("");
    for (const method of methods.split(",").map((s) => s.trim())) out.push({ method, url });
  }
  return out;
}

/** Fills :params with a value (a real id when the test wants a route to find something). */
export function fill(url: string, values: Record<string, string> = {}): string {
  return url
    .replace(/:([A-Za-z]+)/g, (_m, k: string) => encodeURIComponent(values[k] ?? "x-1"))
    .replace(/\*$/, "anything");
}

export const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);
