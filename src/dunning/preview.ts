/**
 * What a reminder will look like and cost: for raw template text being edited, a template of
 * the policy or a step, rendered for a real account (its open invoices) or a sample one.
 */
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Ledger } from "../ledger/ledger.js";
import type { Account, Invoice } from "../ledger/types.js";
import { addDays, localNow } from "../core/calendar.js";
import type { PolicyDocument } from "./policy-schema.js";
import { sequenceFor } from "./planner.js";
import { unknownVariables } from "./template-variables.js";
import { balanceIn, composeReminder, type Sender } from "./compose.js";
import { buildView } from "./templates.js";
import { renderEmail } from "./email-templates.js";
import { DEFAULT_CODEC, measureText, type CodecSettings } from "./text-measure.js";

export interface PreviewRequest {
  /** Raw template text (the editor's content); checked for unknown variables. */
  template?: string;
  /** A template of the policy. */
  templateId?: string;
  /** A step of the policy (its template, or its consolidated template for several invoices). */
  stepId?: string;
  /** A real account; without it a sample account is used. */
  accountId?: string;
  /** Sample account's locale (default the policy's fallback locale). */
  locale?: string;
  /** Sample: how many invoices (2+ previews the consolidated message). */
  invoiceCount?: number;
}

export interface TemplatePreview {
  text: string;
  encoding: "gsm7" | "ucs2" | "8bit";
  parts: number;
  units: number;
  /** The text of each part as the outbox will cut it. */
  partTexts: string[];
  /** National language shift tables the text uses (Turkish, Spanish, Portuguese). */
  shift?: { locking?: string; single?: string };
  /** parts x outbox.costPerPart, in the configured currency. */
  cost: number;
  locale: string;
  optOutAppended: boolean;
  account: "real" | "sample";
  templateId?: string;
  /** The same reminder as an e-mail (docs/email.md): subject, plain text, HTML (escaped), with a sample unsubscribe footer. */
  email: { subject: string; text: string; html: string; locale: string };
}

export interface PreviewDeps {
  ledger: Ledger;
  policy: PolicyDocument;
  now: number;
  zoneOf: (a: Account) => string;
  sender: Sender;
  costPerPart: number;
  /** The modem's codec settings (config modem), the ones the outbox sends with. */
  codec?: CodecSettings;
}

function sample(locale: string, today: string, count: number): { account: Account; invoices: Invoice[] } {
  const account: Account = {
    id: "sample",
    version: 0,
    name: "Maria Muster",
    phones: ["+491700000000"],
    emails: ["maria@example.com"],
    channel: "sms",
    locale,
    currency: "EUR",
    tags: [],
    optedOut: false,
    noReminders: false,
    updatedAt: 0,
  };
  const invoices: Invoice[] = Array.from({ length: Math.max(1, Math.min(20, count)) }, (_, k) => ({
    id: `sample-${k + 1}`,
    version: 0,
    accountId: "sample",
    number: `RE-2026-${String(42 + k).padStart(4, "0")}`,
    amount: 12_900 + k * 3_450,
    amountDue: 12_900 + k * 3_450,
    currency: "EUR",
    issueDate: addDays(today, -21 - 30 * k),
    dueDate: addDays(today, -7 - 30 * k),
    status: "open",
    paymentLink: `https://pay.example.com/i/RE-2026-${String(42 + k).padStart(4, "0")}`,
    directDebit: false,
    noReminders: false,
    updatedAt: 0,
  }));
  return { account, invoices };
}

export function preview(d: PreviewDeps, req: PreviewRequest): TemplatePreview {
  const real = req.accountId ? d.ledger.account(req.accountId) : undefined;
  if (req.accountId && !real)
    throw new DuegateError(ErrorCode.NotFound, `account ${req.accountId} is unknown`, { accountId: req.accountId });
  const zone = real ? d.zoneOf(real) : "UTC";
  const now = localNow(d.now, zone);
  const base = real
    ? { account: real, invoices: d.ledger.invoicesOf(real.id).filter((i) => i.status === "open" && i.amountDue > 0) }
    : sample(req.locale ?? d.policy.fallbackLocale, now.date, req.invoiceCount ?? 1);
  if (base.invoices.length === 0)
    base.invoices = sample(base.account.locale, now.date, 1).invoices.map((i) => ({
      ...i,
      accountId: base.account.id,
      currency: base.account.currency,
    }));
  let policy = d.policy;
  let templateId: string;
  if (req.template !== undefined) {
    const check = unknownVariables(req.template);
    if (check.error) throw new DuegateError(ErrorCode.TemplateInvalid, `template ${check.error}`, {});
    if (check.names.length)
      throw new DuegateError(ErrorCode.TemplateInvalid, `template uses unknown variable {{${check.names[0]}}}`, {
        variable: check.names[0],
        unknown: check.names,
      });
    templateId = "__preview";
    policy = {
      ...policy,
      templates: {
        ...policy.templates,
        [templateId]: { [base.account.locale]: req.template, [policy.fallbackLocale]: req.template },
      },
    };
  } else if (req.stepId !== undefined) {
    const own = policy.sequences[sequenceFor(policy, base.account)]?.steps.find((s) => s.id === req.stepId);
    const step =
      own ??
      Object.values(policy.sequences)
        .flatMap((s) => s.steps)
        .find((s) => s.id === req.stepId);
    if (!step)
      throw new DuegateError(ErrorCode.NotFound, `step "${req.stepId}" is not in the policy`, { stepId: req.stepId });
    templateId = base.invoices.length > 1 ? (step.consolidatedTemplate ?? step.template) : step.template;
  } else if (req.templateId !== undefined) {
    if (!policy.templates[req.templateId])
      throw new DuegateError(ErrorCode.NotFound, `template "${req.templateId}" is not in the policy`, {
        templateId: req.templateId,
      });
    templateId = req.templateId;
  } else throw new DuegateError(ErrorCode.Validation, "preview needs template, templateId or stepId", {});
  const currency = base.invoices[0]!.currency;
  const included = base.invoices.filter((i) => i.currency === currency);
  const rendered = composeReminder(
    policy,
    templateId,
    base.account,
    included,
    base.invoices,
    currency,
    now.day,
    d.sender,
  );
  const m = measureText(rendered.text, base.account.locale, d.codec ?? DEFAULT_CODEC);
  const view = buildView({
    account: base.account,
    invoices: included,
    currency,
    balance: balanceIn(base.invoices, currency),
    today: now.day,
    company: d.sender.company,
    gatewayNumber: d.sender.gatewayNumber,
  });
  const email = renderEmail(policy, templateId, base.account.locale, view, {
    https: "https://billing.example.com/api/v1/email/unsubscribe?t=…",
  });
  return {
    text: m.text,
    encoding: m.encoding,
    parts: m.parts,
    units: m.units,
    partTexts: m.partTexts,
    ...(m.shift ? { shift: m.shift } : {}),
    cost: Math.round(m.parts * d.costPerPart * 10_000) / 10_000,
    locale: rendered.locale,
    optOutAppended: rendered.optOutAppended,
    account: real ? "real" : "sample",
    ...(req.template === undefined ? { templateId } : {}),
    email,
  };
}
