/**
 * The variables a reminder template may use, and the check that refuses any other at save
 * time (a typo like {{amountdue}} would otherwise send an empty gap to every debtor).
 */
import Mustache from "mustache";

export const TEMPLATE_VARIABLES = [
  "name",
  "firstName",
  "balance",
  "amountDue",
  "dueDate",
  "daysOverdue",
  "invoiceNumbers",
  "invoiceCount",
  "paymentLink",
  "company",
  "gatewayNumber",
] as const;
export type TemplateVariable = (typeof TEMPLATE_VARIABLES)[number];

export const VARIABLE_DESCRIPTIONS: Record<TemplateVariable, string> = {
  name: "The account's name as accounting sent it.",
  firstName: "The first word of the name.",
  balance: "Everything the account owes in the message's currency, formatted for the locale.",
  amountDue: "The amount due of the invoices in this message, formatted for the locale.",
  dueDate: "The (earliest) due date, formatted for the locale.",
  daysOverdue: "Days past the (earliest) due date; 0 before it.",
  invoiceNumbers: "The invoice numbers, comma-separated.",
  invoiceCount: "How many invoices the message covers.",
  paymentLink: "The invoice's payment link (the first one for a consolidated message); empty when none.",
  company: "The creditor's name (gateway.companyName).",
  gatewayNumber: "The gateway's own number (gateway.ownNumber).",
};

const known = new Set<string>(TEMPLATE_VARIABLES);

type Token = [string, string, number, number, Token[]?];

/** Unknown names used in a mustache template, or the parse error. Partials are refused: a template stands alone. */
export function unknownVariables(template: string): { names: string[]; error?: string } {
  let tokens: Token[];
  try {
    tokens = Mustache.parse(template) as Token[];
  } catch (e) {
    return { names: [], error: `cannot be parsed: ${e instanceof Error ? e.message : String(e)}` };
  }
  const names = new Set<string>();
  const walk = (list: Token[]): void => {
    for (const t of list) {
      const [type, value] = t;
      if (type === ">") names.add(`>${value}`);
      if ((type === "name" || type === "&" || type === "#" || type === "^") && !known.has(value)) names.add(value);
      if (t[4]) walk(t[4]);
    }
  };
  walk(tokens);
  return { names: [...names] };
}
