/** The words of one planned reminder: shared by evaluate(), forecast({ render }) and preview(). */
import type { Account, Invoice } from "../ledger/types.js";
import type { PolicyDocument } from "./policy-schema.js";
import { buildView, renderTemplate, type RenderedReminder } from "./templates.js";

export interface Sender {
  company: string;
  gatewayNumber: string;
  appendOptOutLine: boolean;
}

/** Everything the account owes in one currency (disputed invoices excluded: they are not being collected). */
export function balanceIn(invoices: readonly Invoice[], currency: string): number {
  let sum = 0;
  for (const i of invoices) if (i.currency === currency && i.status === "open") sum += i.amountDue;
  return sum;
}

export function composeReminder(
  policy: PolicyDocument,
  templateId: string,
  account: Account,
  included: readonly Invoice[],
  allInvoices: readonly Invoice[],
  currency: string,
  today: number,
  sender: Sender,
): RenderedReminder {
  const view = buildView({
    account,
    invoices: included,
    currency,
    balance: balanceIn(allInvoices, currency),
    today,
    company: sender.company,
    gatewayNumber: sender.gatewayNumber,
  });
  return renderTemplate(policy, templateId, account.locale, view, sender.appendOptOutLine);
}
