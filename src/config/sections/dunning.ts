import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

// The policy itself (steps, segments, templates) is defined and validated in src/dunning/policy-schema.ts.
export const DunningSection = Type.Object(
  {
    evaluateCron: Type.String({
      default: "0 */15 * * * *",
      description:
        "When the engine evaluates (croner syntax, seconds first). It also evaluates on ledger changes and at start.",
    }),
    graceDays: Type.Integer({
      ...facts({
        label: "Late steps still sent for",
        hint: "A reminder that fell due while the appliance was off is still sent if it is at most this many days late.",
        unit: "days",
        editable: true,
      }),
      default: 2,
      minimum: 0,
      description: "A step that fell due while the appliance was off is still sent if at most this many days late.",
    }),
    consolidate: Type.Boolean({
      ...facts({
        label: "One message per account and day",
        hint: "Several invoices reaching a step on the same day share one message.",
        editable: true,
      }),
      default: true,
      description:
        "One message per account and day: several invoices reaching steps on one day share one consolidated message.",
    }),
    requireTrustedClock: Type.Boolean({
      default: true,
      description: "Schedule nothing until the clock is known to be right (NTP or the modem's network time).",
    }),
    appendOptOutLine: Type.Boolean({
      ...facts({
        label: "Add the opt-out line",
        hint: "Adds 'Reply STOP to opt out' in the debtor's language to reminders that lack it.",
        editable: true,
      }),
      default: true,
      description: "Append a localised 'Reply STOP to opt out' line to reminders whose template lacks one.",
    }),
    paidPauseDays: Type.Integer({
      ...facts({
        label: "Pause after PAID",
        hint: "Days reminders pause after a debtor texts PAID.",
        unit: "days",
        editable: true,
      }),
      default: 5,
      minimum: 0,
      description: "Days reminders pause after a debtor texts PAID.",
    }),
    promiseGraceDays: Type.Integer({
      ...facts({
        label: "Grace after a promised date",
        hint: "Days after a promised payment date before reminders resume.",
        unit: "days",
        editable: true,
      }),
      default: 2,
      minimum: 0,
      description: "Days after a promised date before the sequence resumes.",
    }),
    changeDebounceMs: Type.Integer({
      default: 2000,
      minimum: 0,
      description:
        "After a ledger change, wait this long for more changes before evaluating (a batch import evaluates once).",
    }),
    networkTimeToleranceSeconds: Type.Integer({
      default: 120,
      minimum: 1,
      description: "The modem's network time (NITZ) trusts the clock when it agrees with it within this many seconds.",
    }),
    clockRecheckSeconds: Type.Integer({
      default: 30,
      minimum: 1,
      description: "How often an untrusted clock is checked again.",
    }),
    recordRetentionDays: Type.Integer({
      default: 400,
      minimum: 30,
      description:
        "Days the per-step send records are kept (idempotency of old invoices, per-step effectiveness report).",
    }),
    sendTime: Type.Object(
      {
        minReminders: Type.Integer({
          default: 3,
          minimum: 1,
          maximum: 100,
          description:
            "Reminders with a known outcome before a debtor's learned hour is used (sequences with sendTime: learned); until then the step's time.",
        }),
        responseDays: Type.Integer({
          default: 3,
          minimum: 1,
          maximum: 14,
          description:
            "Days after a reminder within which a payment or reply counts as its success; after that it counts as unanswered.",
        }),
        holdoutPercent: Type.Number({
          default: 10,
          minimum: 0,
          maximum: 100,
          description:
            "Share of debtors (percent, by a stable hash of the account id) that keep the step's time, so the effect of learning can be measured (report send-time).",
        }),
      },
      { default: {}, description: "Learning each debtor's best hour for reminders (docs/send-time.md)." },
    ),
    policy: Type.Optional(
      Type.Unknown({
        description:
          "The dunning policy (steps, segments, templates); see docs/policy.md. Default: the built-in policy.",
      }),
    ),
  },
  { ...facts({ label: "Reminders" }), default: {}, description: "The dunning engine." },
);
