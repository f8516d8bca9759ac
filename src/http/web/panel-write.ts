/**
 * What staff do from the panel: send a test SMS, reply to a debtor, cancel or retry a
 * message, opt an account out or in, preview a template. (The modem's AT console is
 * POST /api/v1/modems/:id/console, src/http/routes/modems.ts.)
 * Scopes: desk for a clerk's work (send, reply, cancel, retry, opt-out); policy for the dunning policy
 * and templates.
 */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { DuegateError, ErrorCode, isDuegateError } from "../../core/errors.js";
import { newId } from "../../core/ids.js";
import { Priority } from "../../outbox/types.js";
import type { WebServices } from "./ports.js";

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });
const Send = Type.Object(
  {
    to: Type.String({ minLength: 3, maxLength: 254 }),
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    channel: Type.Optional(
      Type.Union([Type.Literal("sms"), Type.Literal("email")], {
        description: "sms (default) or email: a test mail through the outbox's e-mail lane (docs/email.md).",
      }),
    ),
  },
  { additionalProperties: false },
);

const escapeHtml = (t: string): string => t.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const Reply = Type.Object(
  {
    to: Type.String({ minLength: 3, maxLength: 40 }),
    text: Type.String({ minLength: 1, maxLength: 1600 }),
    inboundId: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);
const OptOut = Type.Object({ optedOut: Type.Boolean() }, { additionalProperties: false });
const Preview = Type.Object(
  { template: Type.String({ maxLength: 2000 }), locale: Type.Optional(Type.String({ maxLength: 20 })) },
  { additionalProperties: false },
);

function need<T>(service: T | undefined, name: string): T {
  if (!service)
    throw new DuegateError(ErrorCode.NotFound, `${name} is not running on this appliance`, { service: name });
  return service;
}

export const panelWriteRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services: s }) => {
  app.post<{ Body: Static<typeof Send> }>(
    "/api/v1/panel/send",
    { schema: { body: Send }, config: { scope: "desk" } },
    async (request, reply) => {
      const by = request.principal?.name ?? "panel";
      const { to, text, channel } = request.body;
      const result = await need(s.outbox, "the outbox").enqueue({
        idempotencyKey: newId("test"),
        to,
        text,
        ...(channel === "email"
          ? {
              channel,
              email: { subject: "duegate test message", html: `<p>${escapeHtml(text).replace(/\n/g, "<br>")}</p>` },
            }
          : {}),
        priority: Priority.direct,
        origin: { kind: "test", requestedBy: by },
        limitClass: "reply",
      });
      request.log.info(
        { event: channel === "email" ? "panel.test_email" : "panel.test_sms", id: result.message.id, by },
        `test ${channel === "email" ? "mail" : "SMS"} queued from the panel`,
      );
      return reply.code(201).send(result.message);
    },
  );

  app.post<{ Body: Static<typeof Reply> }>(
    "/api/v1/panel/reply",
    { schema: { body: Reply }, config: { scope: "desk" } },
    async (request) => {
      const { to, text, inboundId } = request.body;
      const by = request.principal?.name ?? "panel";
      const outcome = await need(s.inbound, "the inbox").reply(to, text, { ...(inboundId ? { inboundId } : {}), by });
      // Answered by a person: the message leaves "needs a person" (a refused reply leaves it there).
      if (inboundId && s.desk && (outcome.status === "queued" || outcome.status === "duplicate"))
        await s.desk.handled(inboundId, by, "replied");
      return outcome;
    },
  );

  app.post<{ Params: Static<typeof Id> }>(
    "/api/v1/panel/messages/:id/cancel",
    { schema: { params: Id }, config: { scope: "desk" } },
    async (request) => {
      const r = await need(s.outbox, "the outbox").cancel(
        { id: request.params.id },
        `cancelled in the panel by ${request.principal?.name ?? "?"}`,
      );
      if (r.cancelled.length === 0) {
        const state = r.notCancellable[0]?.state;
        throw new DuegateError(
          ErrorCode.NotCancellable,
          state ? `a ${state} message cannot be cancelled` : `no message ${request.params.id}`,
          { id: request.params.id },
        );
      }
      return r;
    },
  );

  app.post<{ Params: Static<typeof Id> }>(
    "/api/v1/panel/messages/:id/retry",
    { schema: { params: Id }, config: { scope: "desk" } },
    async (request) => need(s.outbox, "the outbox").retry(request.params.id),
  );

  app.post<{ Params: Static<typeof Id>; Body: Static<typeof OptOut> }>(
    "/api/v1/panel/accounts/:id/optout",
    { schema: { params: Id, body: OptOut }, config: { scope: "desk" } },
    async (request) => {
      const changed = await need(s.ledger, "the ledger").setOptOut(
        { accountId: request.params.id },
        request.body.optedOut,
        "panel",
      );
      return { changed };
    },
  );

  // The policy decides what every debtor is told and when: an admin session or a key with the
  // policy scope, never the accounting server's write key.
  app.put<{ Body: unknown }>("/api/v1/panel/policy", { config: { scope: "policy" } }, async (request) => {
    // A refusal names the field of the first problem (DuegateError context.path): the editor shows it beside that field.
    return need(s.dunning, "the dunning engine").setPolicy(request.body, request.principal?.name ?? "panel");
  });

  // A preview changes nothing: a viewer may try wording too.
  app.post<{ Body: Static<typeof Preview> }>(
    "/api/v1/panel/preview",
    { schema: { body: Preview }, config: { scope: "read" } },
    async (request) => {
      const { template, locale } = request.body;
      try {
        return {
          ...need(s.dunning, "the dunning engine").preview({ template, ...(locale ? { locale } : {}) }),
          errors: [],
        };
      } catch (e) {
        // While typing, a template is often invalid for a moment: that is an answer, not a failure.
        if (isDuegateError(e, ErrorCode.TemplateInvalid) || isDuegateError(e, ErrorCode.Validation))
          return { text: null, errors: [{ field: "template", message: e.message }] };
        throw e;
      }
    },
  );
};
