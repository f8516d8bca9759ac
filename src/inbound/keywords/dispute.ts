/**
 * DISPUTE <text>: the debtor contests. The named invoice (or, when the account has a single
 * open one, that one; otherwise the whole account) is put on hold until a person releases
 * it (940 CMR 7.08(2): cease collecting the disputed part until verified).
 */
import {
  accountLocale,
  accountsNamedIn,
  type KeywordContext,
  type KeywordDefinition,
  type KeywordOutcome,
} from "./context.js";

function invoiceNamed(text: string, invoiceIds: string[]): string | undefined {
  const upper = text.toUpperCase();
  return invoiceIds.find((id) => id.length >= 3 && upper.includes(id.toUpperCase()));
}

async function handle(ctx: KeywordContext): Promise<KeywordOutcome> {
  const accounts = accountsNamedIn(ctx.rest, ctx.accounts);
  const text = ctx.rest.trim();
  const invoiceIds: string[] = [];
  for (const account of accounts) {
    const open = ctx.ledger.invoicesOf(account.id).filter((i) => i.status === "open" || i.status === "disputed");
    const refs = open.flatMap((i) =>
      [i.id, i.number, ...Object.values(i.externalRefs ?? {})]
        .filter((r): r is string => typeof r === "string")
        .map((r) => ({ ref: r, id: i.id })),
    );
    const ref = invoiceNamed(
      text,
      refs.map((r) => r.ref),
    );
    const invoiceId = ref ? refs.find((r) => r.ref === ref)?.id : open.length === 1 ? open[0]!.id : undefined;
    await ctx.ledger.disputeInvoice(invoiceId, account.id, text);
    if (invoiceId) invoiceIds.push(invoiceId);
  }
  return {
    summary:
      invoiceIds.length > 0
        ? `dispute: ${invoiceIds.length} invoice(s) on hold`
        : `dispute: ${accounts.length} account(s) on hold`,
    replies: [{ text: ctx.texts.render(accountLocale(accounts[0], ctx.settings), "dispute"), purpose: "dispute" }],
    accountIds: accounts.map((a) => a.id),
    invoiceIds,
    text,
  };
}

export const disputeKeyword: KeywordDefinition = {
  kind: "dispute",
  aliases: [
    "DISPUTE",
    "WIDERSPRUCH",
    "EINSPRUCH",
    "REKLAMATION",
    "CONTESTATION",
    "CONTESTE",
    "RECLAMATION",
    "DISPUTA",
    "RECLAMACION",
    "RECLAMO",
    "BEZWAAR",
  ],
  fuzzy: true,
  changesAccount: true,
  handle,
};
