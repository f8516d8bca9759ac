/**
 * Reports (docs/reports.md): aging, on-time payment rate, DSO, reminders per step and the
 * share paid, SMS parts and cost per day or month, and the evidence export of one account.
 * Dates are local dates (YYYY-MM-DD) in the gateway's time zone; a period defaults to the
 * last 30 days up to today. All computed on request by src/dunning/reports.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { HttpServices } from "../ports.js";
import { OpenRecord } from "../schemas.js";

const PeriodFields = {
  from: Type.String({ description: "YYYY-MM-DD, first day" }),
  to: Type.String({ description: "YYYY-MM-DD, last day (included)" }),
};
/** A report's answer: the fields named here, and its rows as docs/reports.md describes them. */
const Report = (properties: Parameters<typeof OpenRecord>[0], description: string) => ({
  200: OpenRecord(properties, description),
});

const Day = (description: string) =>
  Type.String({ format: "date", maxLength: 10, description: `YYYY-MM-DD, ${description}` });
const Period = {
  from: Type.Optional(Day("first day of the period (gateway time zone); default: 29 days before to")),
  to: Type.Optional(Day("last day of the period, included; default: today")),
};

type PeriodQuery = { from?: string; to?: string };

export const reportRoutes: FastifyPluginAsync<{ services: HttpServices }> = async (app, { services }) => {
  const reports = () => services.reports;

  app.get("/reports/aging", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "Open and disputed amounts by days past due (current, 1-30, 31-60, 61-90, over-90), per currency in minor units",
      querystring: Type.Object({ asOf: Type.Optional(Day("the day to age against; default: today")) }),
      response: Report(
        {
          asOf: Type.String(),
          buckets: Type.Array(Type.String()),
          rows: Type.Array(OpenRecord({ currency: Type.String() }, "one currency's amounts per bucket")),
        },
        "open amounts by age",
      ),
    },
    handler: async (request) => reports().aging(request.query as { asOf?: string }),
  });

  app.get("/reports/on-time", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "Invoices paid in full in the period: the share paid on or before the due date, average days late of the late ones",
      querystring: Type.Object(Period),
      response: Report(PeriodFields, "the on-time payment rate of the period"),
    },
    handler: async (request) => reports().onTime(request.query as PeriodQuery),
  });

  app.get("/reports/dso", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary: "Days sales outstanding per currency: receivables / invoiced in the period x days",
      querystring: Type.Object({
        asOf: Type.Optional(Day("end of the period; default: today")),
        periodDays: Type.Integer({
          minimum: 1,
          maximum: 3660,
          default: 90,
          description: "days of invoicing counted back from asOf",
        }),
      }),
      response: Report({ asOf: Type.String() }, "days sales outstanding per currency"),
    },
    handler: async (request) => reports().dso(request.query as { asOf?: string; periodDays: number }),
  });

  app.get("/reports/steps", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary: "Reminders enqueued per step in the period and how many had all their invoices paid within withinDays",
      querystring: Type.Object({
        ...Period,
        withinDays: Type.Integer({
          minimum: 0,
          maximum: 365,
          default: 7,
          description: "days after the reminder a payment still counts",
        }),
      }),
      response: Report(PeriodFields, "reminders per step and the share paid"),
    },
    handler: async (request) => reports().steps(request.query as PeriodQuery & { withinDays: number }),
  });

  app.get("/reports/send-time", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "Learned send hours against the holdout: per group, debtors reminded in the period, reminders paid within withinDays, replies and opt-outs",
      querystring: Type.Object({
        ...Period,
        withinDays: Type.Integer({
          minimum: 0,
          maximum: 365,
          default: 7,
          description: "days after the reminder a payment still counts",
        }),
      }),
      response: Report(PeriodFields, "learned send hours against the holdout, per group"),
    },
    handler: async (request) => reports().sendTime(request.query as PeriodQuery & { withinDays: number }),
  });

  app.get("/accounts/:id/send-time", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "The local hour the account's reminders go at, and why: the learner's evidence per hour of the send window",
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }),
      response: Report({}, "the account's send hour and the evidence per hour"),
    },
    handler: async (request) => reports().sendTimeOf((request.params as { id: string }).id),
  });

  app.get("/reports/cost", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "Messages that went to the network per local day or month: messages, parts, delivered, failed, cost (outbox.costPerPart)",
      querystring: Type.Object({
        ...Period,
        by: Type.Union([Type.Literal("day"), Type.Literal("month")], {
          default: "day",
          description: "day (at most 366 days) or month",
        }),
      }),
      response: Report(PeriodFields, "messages, parts, delivered, failed and cost per day or month"),
    },
    handler: async (request) => reports().cost(request.query as PeriodQuery & { by: "day" | "month" }),
  });

  app.get("/accounts/:id/evidence", {
    config: { scope: "read" },
    schema: {
      tags: ["reports"],
      summary:
        "Evidence export of one account: every message with its text, times, parts and delivery reports, every reply, and the consent records of its numbers (JSON or CSV, as a download)",
      params: Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) }),
      querystring: Type.Object({
        format: Type.Union([Type.Literal("json"), Type.Literal("csv")], { default: "json" }),
      }),
      response: {
        200: OpenRecord(
          {},
          "the evidence pack (format json), or the same as text/csv (format csv): messages, replies, consent records",
        ),
      },
    },
    handler: async (request, reply) => {
      const { id } = request.params as { id: string };
      const { format } = request.query as { format: "json" | "csv" };
      const pack = await reports().evidence(id);
      const file = `duegate-evidence-${id.replace(/[^\w.-]/g, "_")}-${reports().today()}.${format}`;
      reply.header("content-disposition", `attachment; filename="${file}"`).header("cache-control", "no-store");
      if (format === "csv") return reply.type("text/csv; charset=utf-8").send(reports().evidenceCsv(pack));
      return reply.type("application/json; charset=utf-8").send(pack);
    },
  });
};
