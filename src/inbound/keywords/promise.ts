/**
 * PROMISE <date>: a promise to pay. Reminders pause until that date (dunning adds
 * promiseGraceDays after it); a date in the past or beyond promiseMaxDays is refused with a
 * reply that says what would work, and nothing changes.
 */
import { addDays, localDate } from "../../core/calendar.js";
import { formatLocalDate } from "../format.js";
import { parsePromiseDate } from "../promise-date.js";
import {
  accountLocale,
  accountZone,
  accountsNamedIn,
  type KeywordContext,
  type KeywordDefinition,
  type KeywordOutcome,
} from "./context.js";

/** An example date a week ahead, in the numeric form the locale reads ("17.06." or "06/17"). */
function example(today: string, locale: string): string {
  const d = addDays(today, 7);
  const [, m, day] = d.split("-");
  return /^en-US$/i.test(locale) ? `${m}/${day}` : `${day}.${m}`;
}

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const accounts = accountsNamedIn(ctx.rest, ctx.accounts);
  const first = accounts[0];
  const locale = accountLocale(first, ctx.settings);
  const today = localDate(ctx.now, accountZone(first, ctx.settings));
  const parsed = parsePromiseDate(ctx.rest, { today, locale, maxDays: ctx.settings.promiseMaxDays });
  const ids = accounts.map((a) => a.id);
  const fmt = (d: string) => formatLocalDate(d, locale, ctx.settings.defaultLocale);
  if (!parsed.ok) {
    const key =
      parsed.reason === "unreadable" ? "promiseUnreadable" : parsed.reason === "past" ? "promisePast" : "promiseTooFar";
    const vars = {
      example: example(today, locale),
      max: fmt(addDays(today, ctx.settings.promiseMaxDays)),
      date: "date" in parsed ? fmt(parsed.date) : "",
    };
    return {
      summary: `promise refused (${parsed.reason}${"date" in parsed ? ` ${parsed.date}` : ""})`,
      replies: [{ text: ctx.texts.render(locale, key, vars), purpose: "promise-refused" }],
      accountIds: ids,
      text: ctx.rest.trim() || undefined,
    };
  }
  for (const account of accounts)
    await ctx.ledger.pauseAccount(account.id, parsed.date, `promise to pay by SMS ${ctx.record.id}`);
  return {
    summary: `promise to pay by ${parsed.date}: ${accounts.length} account(s) paused`,
    replies: [{ text: ctx.texts.render(locale, "promise", { date: fmt(parsed.date) }), purpose: "promise" }],
    accountIds: ids,
    promiseDate: parsed.date,
  };
}

export const promiseKeyword: KeywordDefinition = {
  kind: "promise",
  aliases: ["PROMISE", "PTP", "ZUSAGE", "VERSPRECHEN", "PROMESSE", "PROMESA", "PROMESSA", "BELOFTE"],
  fuzzy: true,
  changesAccount: true,
  handle,
};
