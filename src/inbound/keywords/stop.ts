/**
 * STOP and its synonyms: opt-out of texts to this number, stored before anything else is
 * done and effective at once (FCC 24-24, 47 CFR 64.1200(a)(10): "stop, quit, end, revoke,
 * opt out, cancel, unsubscribe" are per se reasonable). Queued messages to the number's
 * accounts are cancelled in the responder. One confirmation, which the outbox drops if it
 * cannot leave within 5 minutes.
 */
import type { KeywordContext, KeywordDefinition, KeywordOutcome } from "./context.js";
import { accountLocale } from "./context.js";

const FIVE_MINUTES = 5 * 60_000;

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  // By number, not by account: STOP means "no texts to this phone", also for accounts added later.
  const changed = ctx.number ? await ctx.ledger.setOptOut({ number: ctx.number }, true, "sms") : [];
  const accountIds = [...new Set([...changed, ...ctx.accounts.map((a) => a.id)])];
  const locale = accountLocale(ctx.accounts[0], ctx.settings);
  return {
    summary: `opted out ${accountIds.length} account(s)`,
    replies: ctx.settings.stopConfirmation
      ? [
          {
            text: ctx.texts.render(locale, "stop"),
            purpose: "stop",
            expiresAt: ctx.record.receivedAt + FIVE_MINUTES,
            consentExemption: "stop-confirmation",
          },
        ]
      : [],
    accountIds,
    optOut: { accountIds, optedOut: true },
  };
}

export const stopKeyword: KeywordDefinition = {
  kind: "stop",
  aliases: [
    "STOP",
    "STOPALL",
    "STOP ALL",
    "UNSUBSCRIBE",
    "REVOKE",
    "OPT OUT",
    "OPTOUT",
    "STOPP",
    "ABMELDEN",
    "ARRET",
    "ARRETER",
    "DESABONNER",
    "DESINSCRIRE",
    "BAJA",
    "PARAR",
    "BASTA",
    "AFMELDEN",
    "UITSCHRIJVEN",
  ],
  // Common words that also start ordinary sentences ("end of month I pay"): only alone.
  aloneOnly: ["CANCEL", "END", "QUIT", "REMOVE", "HALT", "ENDE", "FIN", "ALTO", "ANNULER", "CANCELAR"],
  forUnknownNumbers: true,
  handle,
};

/** Words that hint at an opt-out when they appear inside other text; staff should look. */
export const OPT_OUT_HINTS = new Set(["STOP", "UNSUBSCRIBE", "OPTOUT", "REVOKE", "STOPP", "ABMELDEN", "ARRET", "BAJA"]);
