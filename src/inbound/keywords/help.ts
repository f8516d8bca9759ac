/** HELP: who is writing and how to reach a person (CTIA: program name, support contact, STOP). Never account data. */
import { accountLocale, type KeywordContext, type KeywordDefinition, type KeywordOutcome } from "./context.js";

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  return {
    summary: "help sent",
    replies: [{ text: ctx.texts.render(accountLocale(ctx.accounts[0], ctx.settings), "help"), purpose: "help" }],
    accountIds: ctx.accounts.map((a) => a.id),
  };
}

export const helpKeyword: KeywordDefinition = {
  kind: "help",
  aliases: ["HELP", "INFO", "HILFE", "AIDE", "AYUDA", "AIUTO", "HULP", "AJUDA"],
  anywhereInShort: true,
  handle,
};
