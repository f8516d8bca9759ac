/**
 * The dunning policy: the one document that says who is reminded, when and with what words.
 * Validated with TypeBox + ajv for shape, then by checkPolicy() for meaning (references,
 * unique step ids, known template variables).
 */
import { Type, type Static } from "@sinclair/typebox";
import { compile } from "../api/validate.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { unknownVariables } from "./template-variables.js";

const Hhmm = Type.String({
  pattern: "^([01]\\d|2[0-3]):[0-5]\\d$",
  description: "Local time HH:MM in the account's zone.",
});
const Name = Type.String({ pattern: "^[a-z0-9][a-z0-9_-]{0,39}$" });
const LocaleKey = "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$";
/** One e-mail template in one locale: the same variables as the SMS templates; the HTML is rendered with escaping on. */
const EmailText = Type.Object(
  {
    subject: Type.String({ minLength: 1, maxLength: 300, description: "The subject line (one line)." }),
    text: Type.Optional(
      Type.String({ minLength: 1, maxLength: 20000, description: "The plain-text body; absent: the step's SMS text." }),
    ),
    html: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 50000,
        description: "The HTML body (variables HTML-escaped); absent: the text, escaped, in paragraphs.",
      }),
    ),
  },
  { additionalProperties: false },
);

const Localised = Type.Record(Type.String({ pattern: LocaleKey }), Type.String({ minLength: 1, maxLength: 1000 }), {
  description: "Text per locale: 'de', 'de-AT', 'en'.",
});

export const StepConditionsSchema = Type.Object(
  {
    minAmountDue: Type.Optional(
      Type.Integer({ minimum: 0, description: "Only invoices with at least this amount due (minor units)." }),
    ),
    minDaysOverdue: Type.Optional(
      Type.Integer({ minimum: 0, description: "Only invoices at least this many days past their due date." }),
    ),
    segments: Type.Optional(Type.Array(Type.String(), { description: "Only accounts in one of these segments." })),
    tags: Type.Optional(
      Type.Array(Type.String(), { description: "Only accounts carrying at least one of these tags." }),
    ),
  },
  { additionalProperties: false },
);

export const StepSchema = Type.Object(
  {
    id: Name,
    offsetDays: Type.Integer({
      minimum: -60,
      maximum: 365,
      description: "Days from the due date; negative = before it.",
    }),
    time: Type.Optional(Hhmm),
    template: Name,
    consolidatedTemplate: Type.Optional(Name),
    conditions: Type.Optional(StepConditionsSchema),
    mark: Type.Optional(
      Type.Union([Type.Literal("disconnect"), Type.Literal("handoff")], {
        description: "After sending, publish account.mark for accounting to act on.",
      }),
    ),
    channels: Type.Optional(
      Type.Array(Type.Union([Type.Literal("sms"), Type.Literal("email")]), {
        minItems: 1,
        maxItems: 2,
        uniqueItems: true,
        description:
          'How this step is sent (default ["sms"]): ["email"] for a formal notice by e-mail, ["sms", "email"] for both. The account\'s channel preference and what it has on file decide too (docs/policy.md, "Channels").',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SequenceSchema = Type.Object(
  {
    description: Type.Optional(Type.String()),
    steps: Type.Array(StepSchema, { maxItems: 20 }),
    sendTime: Type.Optional(
      Type.Union([Type.Literal("fixed"), Type.Literal("learned")], {
        description:
          "fixed (default): each step at its time; learned: at each debtor's best hour from their own history, inside the send window (docs/send-time.md).",
      }),
    ),
  },
  { additionalProperties: false },
);

export const PolicySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100 }),
    fallbackLocale: Type.String({
      pattern: LocaleKey,
      description: "Locale used when an account's locale has no text.",
    }),
    defaultSequence: Name,
    sequences: Type.Record(Name, SequenceSchema),
    /** segment -> sequence name ("vip" -> "gentle", "exempt" -> "none"). */
    segments: Type.Record(Type.String({ minLength: 1, maxLength: 64 }), Name),
    templates: Type.Record(Name, Localised),
    optOutLine: Localised,
    emailTemplates: Type.Optional(
      Type.Record(Name, Type.Record(Type.String({ pattern: LocaleKey }), EmailText), {
        description:
          "E-mail versions of the templates, by the same names: subject, text, HTML per locale. A template without one is mailed with a generic subject and its SMS text.",
      }),
    ),
    expiresAfterHours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 720,
        description: "A reminder not sent within this time is dropped by the outbox.",
      }),
    ),
    defaultTime: Type.Optional(Hhmm),
  },
  { additionalProperties: false },
);

export type StepConditions = Static<typeof StepConditionsSchema>;
export type PolicyStep = Static<typeof StepSchema>;
export type PolicySequence = Static<typeof SequenceSchema>;
export type PolicyDocument = Static<typeof PolicySchema>;

export interface PolicyVersion {
  version: number;
  savedAt: number;
  savedBy: string;
  policy: PolicyDocument;
}

const validateShape = compile(PolicySchema, "document");

/** Throws DuegateError(PolicyInvalid | TemplateInvalid) naming the first problem and where it is. */
export function checkPolicy(input: unknown): PolicyDocument {
  if (!validateShape(input)) {
    const e = validateShape.errors?.[0];
    const where = e?.instancePath || "/";
    throw new DuegateError(ErrorCode.PolicyInvalid, `policy ${where}: ${e?.message ?? "invalid"}`, {
      path: where,
      errors: validateShape.errors?.slice(0, 10),
    });
  }
  const p = input as PolicyDocument;
  const fail = (path: string, message: string): never => {
    throw new DuegateError(ErrorCode.PolicyInvalid, `policy ${path}: ${message}`, { path });
  };
  if (!p.sequences[p.defaultSequence]) fail("/defaultSequence", `sequence "${p.defaultSequence}" is not defined`);
  for (const [segment, seq] of Object.entries(p.segments))
    if (!p.sequences[seq]) fail(`/segments/${segment}`, `sequence "${seq}" is not defined`);
  if (!p.optOutLine[p.fallbackLocale]) fail("/optOutLine", `no text for the fallback locale "${p.fallbackLocale}"`);
  for (const [name, seq] of Object.entries(p.sequences)) {
    const seen = new Set<string>();
    seq.steps.forEach((s, i) => {
      const path = `/sequences/${name}/steps/${i}`;
      if (seen.has(s.id)) fail(`${path}/id`, `step id "${s.id}" is used twice in sequence "${name}"`);
      seen.add(s.id);
      for (const t of [s.template, s.consolidatedTemplate]) {
        if (t === undefined) continue;
        const tpl = p.templates[t];
        if (!tpl) fail(`${path}`, `template "${t}" is not defined`);
        else if (!tpl[p.fallbackLocale])
          fail(`/templates/${t}`, `no text for the fallback locale "${p.fallbackLocale}"`);
      }
    });
  }
  const checkText = (name: string, locale: string, text: string): void => {
    const unknown = unknownVariables(text);
    if (unknown.error)
      throw new DuegateError(ErrorCode.TemplateInvalid, `template "${name}" (${locale}): ${unknown.error}`, {
        template: name,
        locale,
      });
    if (unknown.names.length)
      throw new DuegateError(
        ErrorCode.TemplateInvalid,
        `template "${name}" (${locale}) uses unknown variable {{${unknown.names[0]}}}`,
        { template: name, locale, variable: unknown.names[0], unknown: unknown.names },
      );
  };
  for (const [name, texts] of Object.entries(p.templates))
    for (const [locale, text] of Object.entries(texts)) checkText(name, locale, text);
  for (const [name, locales] of Object.entries(p.emailTemplates ?? {})) {
    if (!p.templates[name])
      fail(
        `/emailTemplates/${name}`,
        `e-mail template "${name}" has no SMS template of that name (it takes the variables and the steps of one)`,
      );
    for (const [locale, e] of Object.entries(locales)) {
      if (/[\r\n]/.test(e.subject)) fail(`/emailTemplates/${name}/${locale}/subject`, "a subject is one line");
      // Unescaped output would put accounting's strings (a name, a link) into the markup as they come.
      if (e.html !== undefined && /\{\{\{|\{\{\s*&/.test(e.html))
        fail(
          `/emailTemplates/${name}/${locale}/html`,
          "{{{...}}} and {{&...}} are not allowed in HTML: variables are always escaped",
        );
      for (const [part, text] of [
        ["subject", e.subject],
        ["text", e.text],
        ["html", e.html],
      ] as const)
        if (text !== undefined) checkText(`${name}.${part}`, locale, text);
    }
  }
  return p;
}
