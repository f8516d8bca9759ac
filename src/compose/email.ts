/**
 * E-mail through the company's relay (docs/email.md): the outbox's transport when email.enabled
 * is on, the unsubscribe links, the relay test for the Settings page, and the relay's settings
 * taken live (the next mail connects with them).
 */
import { newId } from "../core/ids.js";
import { labelOf } from "../config/setting-words.js";
import { SmtpTransport } from "../email/smtp-transport.js";
import { UnsubscribeTokens, loadUnsubscribeSecret, unsubscribeLinks } from "../email/unsubscribe.js";
import type { EmailPort } from "../http/ports.js";
import type { OutboxDeps } from "../outbox/index.js";
import type { EngineEmail } from "../dunning/engine.js";
import type { Config } from "../config/schema.js";
import type { AppContext } from "./context.js";
import { invalid, readsKeys, target, type SettingsTarget } from "./live-settings.js";

/** A relay in use needs a server and a sender: refused beside the field rather than failing every mail. */
function checkRelay(next: Config): void {
  const required: Array<[string, string]> = [
    ["email.host", next.email.host],
    ["email.from", next.email.from],
  ];
  for (const [key, value] of required)
    if (!value) throw invalid(key, `${labelOf(key)} is empty: e-mail is on, so the relay needs it`);
}

export function buildEmail(ctx: AppContext) {
  const start = ctx.live.current;
  const email = () => ctx.live.current.email;
  const smtp = start.email.enabled ? new SmtpTransport(start.email, start.gateway.companyName) : undefined;
  const tokens = new UnsubscribeTokens(() => loadUnsubscribeSecret(ctx.dataDir, email().unsubscribeSecret));

  const lane: OutboxDeps["email"] | undefined = smtp && {
    transport: smtp,
    settings: {
      ratePerMinute: start.email.ratePerMinute,
      messageIdDomain: start.email.from.split("@")[1] ?? "localhost",
      gatewayId: start.gateway.id,
    },
  };
  const engine: EngineEmail = {
    emailEnabled: smtp !== undefined,
    stopAlsoStopsEmail: start.email.stopAlsoStopsEmail,
    unsubscribe: (accountId) => unsubscribeLinks(tokens, accountId, email()),
  };

  const port = (ledger: { setEmailOptOut(id: string, optedOut: boolean, source: "email-link"): Promise<boolean> }) =>
    ({
      verifyUnsubscribe: (token) => tokens.verify(token),
      unsubscribe: (accountId) => ledger.setEmailOptOut(accountId, true, "email-link"),
      // A transport of its own, from the settings in force now: the test works before e-mail is switched on.
      sendTestMail: async (to) => {
        const { email: c, gateway } = ctx.live.current;
        const t = new SmtpTransport(c, gateway.companyName);
        const messageId = `<test-${newId("mail")}.${gateway.id}@${c.from.split("@")[1] ?? "localhost"}>`;
        try {
          const r = await t.send({
            to,
            subject: `${gateway.companyName || "duegate"}: test mail`,
            text: "This is a test mail from the duegate gateway: the SMTP relay settings work.",
            html: "",
            messageId,
            headers: {},
          });
          return { response: r.response, messageId };
        } finally {
          t.close();
        }
      },
    }) satisfies EmailPort;

  // Without a running lane there is nothing to tell: the test mail reads the settings in force.
  const settings: SettingsTarget | undefined =
    smtp &&
    target(
      "email",
      readsKeys("email.", "gateway.companyName"),
      (next) => smtp.applySettings(next.email, next.gateway.companyName),
      checkRelay,
    );

  return { lane, engine, port, settings, close: () => smtp?.close() };
}
