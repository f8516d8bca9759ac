/** Who made a request, as the application layer records it: a person with a session, or a machine with an API key. */
import type { FastifyRequest } from "fastify";
import type { Requester } from "../service/index.js";

export function requesterOf(request: FastifyRequest): Requester {
  const p = request.principal;
  return { via: "http", by: p?.name ?? "api", person: p?.kind === "user" };
}
