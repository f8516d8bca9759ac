/**
 * PAID: the debtor says they paid. Nothing is marked paid (only accounting knows); reminders
 * pause for dunning.paidPauseDays so nobody is chased for money in transit, and the
 * keyword.action event tells accounting to check.
 */
import { addDays, localDate } from "../../core/calendar.js";
import { formatLocalDate } from "../format.js";
import {
  accountLocale,
  accountZone,
  accountsNamedIn,
  type KeywordContext,
  type KeywordDefinition,
  type KeywordOutcome,
} from "./context.js";

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const accounts = accountsNamedIn(ctx.rest, ctx.accounts);
  let until = "";
  for (const account of accounts) {
    until = addDays(localDate(ctx.now, accountZone(account, ctx.settings)), ctx.settings.paidPauseDays);
    await ctx.ledger.pauseAccount(account.id, until, `paid claim by SMS ${ctx.record.id}`);
  }
  const locale = accountLocale(accounts[0], ctx.settings);
  return {
    summary: `paid claim: ${accounts.length} account(s) paused until ${until}`,
    replies: [
      {
        text: ctx.texts.render(locale, "paid", { date: formatLocalDate(until, locale, ctx.settings.defaultLocale) }),
        purpose: "paid",
      },
    ],
    accountIds: accounts.map((a) => a.id),
    text: ctx.rest.trim() || undefined,
  };
}

export const paidKeyword: KeywordDefinition = {
  kind: "paid",
  aliases: ["PAID", "PAYED", "BEZAHLT", "GEZAHLT", "PAYE", "PAGADO", "PAGATO", "BETAALD"],
  changesAccount: true,
  handle,
};
