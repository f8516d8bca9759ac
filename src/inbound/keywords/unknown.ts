/**
 * Anything that is no keyword: kept for the staff inbox and published; answered with a short
 * help text only when inbound.unknownKeywordHelp is on. A STOP-like word inside the text is
 * flagged for staff (12 CFR 1006.14(h): "do not text me" in other words still counts).
 */
import { words } from "../normalize.js";
import { accountLocale, type KeywordContext, type KeywordDefinition, type KeywordOutcome } from "./context.js";
import { OPT_OUT_HINTS } from "./stop.js";

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const folded = words(ctx.record.text).map((w) => w.word);
  const possibleOptOut = folded.some((w) => OPT_OUT_HINTS.has(w)) || folded.join(" ").includes("OPT OUT");
  return {
    summary: possibleOptOut ? "for staff: may ask to stop texts" : "for staff",
    replies: ctx.settings.unknownKeywordHelp
      ? [{ text: ctx.texts.render(accountLocale(ctx.accounts[0], ctx.settings), "unknown"), purpose: "unknown" }]
      : [],
    accountIds: ctx.accounts.map((a) => a.id),
    text: ctx.record.text,
    possibleOptOut,
  };
}

export const unknownKeyword: KeywordDefinition = { kind: "unknown", aliases: [], handle };
