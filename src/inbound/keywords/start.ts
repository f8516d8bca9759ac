/** START / UNSTOP: opt back in (CTIA: resubscribe with a confirmation). "YES" is not one: it answers too many questions. */
import { accountLocale, type KeywordContext, type KeywordDefinition, type KeywordOutcome } from "./context.js";

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const changed = ctx.number ? await ctx.ledger.setOptOut({ number: ctx.number }, false, "sms") : [];
  const accountIds = [...new Set([...changed, ...ctx.accounts.map((a) => a.id)])];
  return {
    summary: `opted in ${accountIds.length} account(s)`,
    replies: [{ text: ctx.texts.render(accountLocale(ctx.accounts[0], ctx.settings), "start"), purpose: "start" }],
    accountIds,
    optOut: { accountIds, optedOut: false },
  };
}

export const startKeyword: KeywordDefinition = {
  kind: "start",
  aliases: ["START", "UNSTOP", "RESUME", "ANMELDEN", "DEMARRER"],
  forUnknownNumbers: true,
  handle,
};
