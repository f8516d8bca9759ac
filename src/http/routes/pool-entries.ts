/**
 * The modem pool's list edited over REST (docs/http.md, "Modems"): add a modem, change or
 * remove one, and read one modem's settings for the panel's edit form. Admin only. Each entry
 * is checked by the config file's own schema (src/config/sections/modem.ts PoolModem), saved
 * in the panel's settings overlay and put in force live; the answer says what the pool did.
 * The PIN is write-only: it is never in an answer, nor in the audit line.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { PoolModem } from "../../config/sections/modem.js";
import { ErrorCode } from "../../core/errors.js";
import type { PoolEntries, PoolEntriesResult } from "../../service/pool-entries.js";
import { sendError } from "../errors.js";
import { FieldsRefused } from "../schemas.js";

export type PoolEntriesPort = Pick<PoolEntries, "view" | "entry" | "add" | "replace" | "remove" | "profiles">;

const IdParam = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 64, description: "The modem's id (modems[].id)." }),
});

/**
 * The body is checked by the config's schema after it is put in the list (so the words of a
 * refusal are the config file's); here only its size is bounded.
 */
const EntryBody = Type.Record(Type.String({ maxLength: 40 }), Type.Unknown(), {
  maxProperties: 30,
  description:
    "One modems: entry as in the config file: id, port, profile, pin (write-only; left out on a change keeps the PIN, empty removes it), smsc, number, limits {partsPerMinute, partsPerDay, partsPerMonth}, costPerPart, balance {ussd}, ...",
});

const Entry = Type.Composite(
  [
    Type.Omit(PoolModem, ["pin"]),
    Type.Object({ pinSet: Type.Boolean({ description: "The entry has a PIN of its own (never shown)." }) }),
  ],
  { description: "One modem as configured, without its PIN." },
);

export const ListView = Type.Object(
  {
    source: Type.Union([Type.Literal("list"), Type.Literal("single")], {
      description:
        "list: a modems: list is in force; single: the one modem: section (the first change turns it into a list).",
    }),
    entries: Type.Array(Entry),
  },
  { description: "The modems: list as configured (a change that waits for a restart is here already), without PINs." },
);

const Changed = Type.Object({
  added: Type.Array(Type.String()),
  removed: Type.Array(Type.String()),
  replaced: Type.Array(Type.String(), { description: "Modems whose drivers restarted with their new settings." }),
  restartRequired: Type.Optional(
    Type.String({ description: "Why the change is saved but takes effect only after the next start." }),
  ),
  modems: ListView,
});

const Refused = FieldsRefused("field of the entry (limits.partsPerDay, pin, ...)");

export const poolEntryRoutes: FastifyPluginAsync<{ services: { poolEntries?: PoolEntriesPort } }> = async (
  app,
  { services },
) => {
  const editor = (reply: FastifyReply): PoolEntriesPort | undefined => {
    if (!services.poolEntries)
      sendError(reply, 404, ErrorCode.NotFound, "the modems cannot be changed on this appliance");
    return services.poolEntries;
  };

  const answer = (request: FastifyRequest, reply: FastifyReply, action: string, id: string, r: PoolEntriesResult) => {
    const by = request.principal?.name ?? "api";
    if (!r.ok) {
      const [first] = r.problems;
      return reply.code(r.status).send({
        error: {
          code: r.status === 404 ? ErrorCode.NotFound : ErrorCode.ConfigInvalid,
          message: r.message,
          field: first?.field ?? "",
          fields: r.problems,
        },
      });
    }
    const { view, changes } = r;
    // The audit line: who changed which modem, and what the pool did (never the entry: it may hold a PIN).
    request.log.info({ event: "panel.modems", action, modem: id, by, ...changes }, `modem ${action} in the panel`);
    return { ...changes, modems: view };
  };

  const idOf = (body: Record<string, unknown>): string => (typeof body.id === "string" ? body.id : "");

  app.get("/modems/:id/settings", {
    config: { scope: "admin" },
    schema: {
      tags: ["modems"],
      summary: "One modem as configured (for the edit form); the PIN is never shown, pinSet says whether it has one",
      params: IdParam,
      response: { 200: Entry },
    },
    handler: async (request, reply) => {
      const list = editor(reply);
      if (!list) return reply;
      const { id } = request.params as { id: string };
      return list.entry(id) ?? sendError(reply, 404, ErrorCode.NotFound, `no modem "${id}"`, "id");
    },
  });

  app.post("/modems", {
    config: { scope: "admin" },
    bodyLimit: 16 * 1024,
    schema: {
      tags: ["modems"],
      summary:
        "Add a modem to the pool: checked as the config file is, saved (<dataDir>/settings.yaml) and started at once",
      body: EntryBody,
      response: { 200: Changed, 400: Refused, 409: Refused },
    },
    handler: async (request, reply) => {
      const list = editor(reply);
      if (!list) return reply;
      const body = request.body as Record<string, unknown>;
      const by = request.principal?.name ?? "api";
      return answer(request, reply, "added", idOf(body), await list.add(body, by));
    },
  });

  app.put("/modems/:id", {
    config: { scope: "admin" },
    bodyLimit: 16 * 1024,
    schema: {
      tags: ["modems"],
      summary:
        "Change one modem's settings (the whole entry; pin left out keeps the PIN): saved, and its driver restarts with them",
      params: IdParam,
      body: EntryBody,
      response: { 200: Changed, 400: Refused, 404: Refused },
    },
    handler: async (request, reply) => {
      const list = editor(reply);
      if (!list) return reply;
      const { id } = request.params as { id: string };
      const by = request.principal?.name ?? "api";
      return answer(request, reply, "changed", id, await list.replace(id, request.body as Record<string, unknown>, by));
    },
  });

  app.delete("/modems/:id", {
    config: { scope: "admin" },
    schema: {
      tags: ["modems"],
      summary:
        "Remove a modem from the pool: its driver stops and its queued messages go out through the others; the last modem cannot be removed",
      params: IdParam,
      response: { 200: Changed, 404: Refused, 409: Refused },
    },
    handler: async (request, reply) => {
      const list = editor(reply);
      if (!list) return reply;
      const { id } = request.params as { id: string };
      const by = request.principal?.name ?? "api";
      return answer(request, reply, "removed", id, await list.remove(id, by));
    },
  });
};
