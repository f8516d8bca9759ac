/**
 * E-mail routes (docs/email.md): the unsubscribe link every reminder mail carries (public:
 * the debtor has no login; the signed token is the authority) and the relay test for the
 * Settings page (admin).
 *
 * GET shows a page with a button and changes nothing: mail scanners and link previews fetch
 * links, and must not unsubscribe anybody. POST unsubscribes: the button, and the one-click
 * POST mail clients send for List-Unsubscribe-Post (RFC 8058).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { checkEmailAddress } from "../../core/email-address.js";
import type { EmailPort, HttpServices } from "../ports.js";

const TokenQuery = Type.Object({
  t: Type.String({ minLength: 3, maxLength: 400, description: "The signed token from the mail's unsubscribe link." }),
});
const TestMail = Type.Object(
  { to: Type.String({ minLength: 3, maxLength: 254, description: "Where the test mail goes." }) },
  { additionalProperties: false },
);

const Page = { 200: Type.String({ description: "text/html: a page for the debtor" }) };
const TestMailOutcome = Type.Object(
  {
    ok: Type.Boolean(),
    response: Type.Optional(Type.String({ description: "the relay's answer" })),
    messageId: Type.Optional(Type.String()),
    failureClass: Type.Optional(
      Type.String({ description: "what failed: connection, TLS, authentication, relay, ..." }),
    ),
    hint: Type.Optional(Type.String()),
    smtpCode: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .type("text/html; charset=utf-8")
    .header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'")
    .header("Referrer-Policy", "no-referrer")
    .send(
      `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head><body style="font-family:sans-serif;max-width:32em;margin:3em auto">${body}</body></html>`,
    );
}

function need(email: EmailPort | undefined): EmailPort {
  if (!email) throw new DuegateError(ErrorCode.EmailNotConfigured, "e-mail is not set up on this gateway");
  return email;
}

export const emailRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  // RFC 8058 one-click POSTs are form-encoded; the body ("List-Unsubscribe=One-Click") carries nothing we need.
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: 1024 },
    (_req, body, done) => done(null, body),
  );

  app.get("/email/unsubscribe", {
    config: { scope: "public" },
    schema: {
      tags: ["email"],
      summary: "The unsubscribe page of a reminder mail (changes nothing; its button POSTs)",
      querystring: TokenQuery,
      response: Page,
    },
    handler: async (request, reply) => {
      const { t } = request.query as { t: string };
      const accountId = services.email?.verifyUnsubscribe(t);
      if (!accountId)
        return page(
          reply,
          400,
          "Link not valid",
          "<p>This unsubscribe link is not valid (it may have been cut short by the mail program). Please reply to the mail instead.</p>",
        );
      return page(
        reply,
        200,
        "Unsubscribe",
        `<p>Stop payment reminders by e-mail? Reminders by SMS are not affected.</p><form method="post" action="?t=${encodeURIComponent(t)}"><button type="submit" style="font-size:1.2em">Stop e-mail reminders</button></form>`,
      );
    },
  });

  app.post("/email/unsubscribe", {
    config: { scope: "public" },
    schema: {
      tags: ["email"],
      summary: "Stop e-mail reminders for the account the token names (one-click, RFC 8058)",
      querystring: TokenQuery,
      response: Page,
    },
    handler: async (request, reply) => {
      const { t } = request.query as { t: string };
      const email = services.email;
      const accountId = email?.verifyUnsubscribe(t);
      if (!email || !accountId)
        return page(
          reply,
          400,
          "Link not valid",
          "<p>This unsubscribe link is not valid. Please reply to the mail instead.</p>",
        );
      await email.unsubscribe(accountId);
      return page(
        reply,
        200,
        "Unsubscribed",
        "<p>You will get no more payment reminders by e-mail. Reminders by SMS are not affected.</p>",
      );
    },
  });

  app.post("/email/test", {
    config: { scope: "admin" },
    schema: {
      tags: ["email"],
      summary:
        "Send a test mail through the relay as configured; a failure says which (connection refused, TLS, authentication, relay denied, ...)",
      body: TestMail,
      response: { 200: TestMailOutcome, 502: TestMailOutcome },
    },
    handler: async (request, reply) => {
      const { to } = request.body as { to: string };
      const address = checkEmailAddress(to);
      if (!address.ok) throw new DuegateError(ErrorCode.Validation, `to is ${address.reason}`, { field: "/to" });
      try {
        const r = await need(services.email).sendTestMail(address.address);
        return { ok: true, response: r.response, messageId: r.messageId };
      } catch (e) {
        if (
          !(e instanceof DuegateError) ||
          (e.code !== ErrorCode.EmailTemporary &&
            e.code !== ErrorCode.EmailRejected &&
            e.code !== ErrorCode.EmailNotConfigured)
        )
          throw e;
        const c = e.context;
        return reply.code(502).send({
          ok: false,
          error: { code: e.code, message: e.message, ...(typeof c.field === "string" ? { field: c.field } : {}) },
          failureClass: typeof c.failureClass === "string" ? c.failureClass : "not-configured",
          ...(typeof c.hint === "string" ? { hint: c.hint } : {}),
          ...(typeof c.smtpCode === "number" ? { smtpCode: c.smtpCode } : {}),
        });
      }
    },
  });
};
