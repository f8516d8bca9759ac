/**
 * BALANCE: what each account on this number owes and the earliest due date, formatted in
 * the account's locale. Only ever runs for a number on file (the responder checks), and
 * shows account numbers masked, so a forwarded phone learns no more than the last digits.
 */
import { formatMoney } from "../../core/money.js";
import { formatLocalDate, maskAccountId } from "../format.js";
import { accountLocale, type KeywordContext, type KeywordDefinition, type KeywordOutcome } from "./context.js";

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const lines: string[] = [];
  for (const account of ctx.accounts) {
    const locale = accountLocale(account, ctx.settings);
    const b = ctx.ledger.balance(account.id);
    const amounts = Object.entries(b.byCurrency)
      .filter(([, minor]) => minor !== 0)
      .sort(([a], [c]) => a.localeCompare(c))
      .map(([currency, minor]) => formatMoney(minor, currency, locale, ctx.settings.defaultLocale));
    const vars = { account: maskAccountId(account.id) };
    if (amounts.length === 0 || b.openInvoices === 0) lines.push(ctx.texts.render(locale, "balanceNothingDue", vars));
    else
      lines.push(
        ctx.texts.render(locale, "balanceLine", {
          ...vars,
          amount: amounts.join(" + "),
          due: b.earliestDue ? formatLocalDate(b.earliestDue, locale, ctx.settings.defaultLocale) : "-",
        }),
      );
  }
  return {
    summary: `balance sent for ${ctx.accounts.length} account(s)`,
    replies: lines.length > 0 ? [{ text: lines.join("\n"), purpose: "balance" }] : [],
    accountIds: ctx.accounts.map((a) => a.id),
  };
}

export const balanceKeyword: KeywordDefinition = {
  kind: "balance",
  aliases: ["BALANCE", "BAL", "SALDO", "KONTOSTAND", "SOLDE", "BALANS"],
  anywhereInShort: true,
  fuzzy: true,
  handle,
};
