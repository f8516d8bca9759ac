import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

const Hhmm = Type.String({ pattern: "^([01]\\d|2[0-3]):[0-5]\\d$" });

export const OutboxSection = Type.Object(
  {
    sendWindow: Type.Object(
      {
        start: Type.String({
          ...facts({
            label: "Earliest send time",
            hint: "Reminders go out from this time on, in the recipient's own time zone.",
            format: "a time like 08:00",
            editable: true,
          }),
          ...Hhmm,
          default: "08:00",
          description: "Earliest local time a reminder may be sent (recipient's zone).",
        }),
        end: Type.String({
          ...facts({
            label: "Latest send time",
            hint: "No reminder starts at or after this time, in the recipient's time zone.",
            format: "a time like 21:00",
            editable: true,
          }),
          ...Hhmm,
          default: "21:00",
          description: "Latest local time (exclusive).",
        }),
        days: Type.Array(Type.Integer({ minimum: 1, maximum: 7 }), {
          ...facts({
            label: "Send days",
            hint: "Weekdays reminders may go out on: 1 is Monday, 7 is Sunday, separated by commas.",
            format: "weekday numbers from 1 (Monday) to 7 (Sunday)",
            editable: true,
          }),
          default: [1, 2, 3, 4, 5, 6, 7],
          description: "ISO weekdays allowed, 1 = Monday.",
        }),
        holidays: Type.Array(Type.String({ pattern: "^\\d{4}-\\d{2}-\\d{2}$" }), {
          ...facts({
            label: "Days off",
            hint: "Dates on which no reminder is sent, separated by commas.",
            format: "dates like 2026-12-24",
            editable: true,
          }),
          default: [],
          description: "Dates (YYYY-MM-DD) on which no reminder is sent.",
        }),
        holidayRegions: Type.Array(Type.String({ pattern: "^[A-Z]{2}(-[A-Za-z0-9]{1,3})?$" }), {
          ...facts({
            label: "Public holidays of",
            hint: "Regions whose public holidays close the window, e.g. DE or DE-BY, separated by commas.",
            format: "region codes like DE or DE-BY",
            editable: true,
          }),
          default: [],
          description:
            "Public holidays (type public) of these regions (date-holidays: DE, DE-BY, US-NY) also close the window, on the local date of each zone.",
        }),
        appliesToReplies: Type.Boolean({
          ...facts({
            label: "Replies wait for the window too",
            hint: "Off: a debtor who texts BALANCE at night is answered at once.",
            editable: true,
          }),
          default: false,
          description: "Whether keyword replies also wait for the window (a debtor who just asked expects an answer).",
        }),
      },
      { ...facts({ label: "Send window" }), default: {} },
    ),
    limits: Type.Object(
      {
        perRecipientPerWeek: Type.Integer({
          ...facts({
            label: "Reminders per number and week",
            hint: "At most this many reminders to one number in any seven days.",
            unit: "reminders",
            editable: true,
          }),
          default: 7,
          minimum: 1,
          description: "Reminders to one number in any 7 days (Regulation F presumes 7 calls in 7 days).",
        }),
        repliesPerRecipientPerHour: Type.Integer({
          ...facts({ label: "Replies per number and hour", unit: "replies", editable: true }),
          default: 5,
          minimum: 1,
          description: "Keyword replies to one number per hour.",
        }),
        perSimPerDay: Type.Integer({
          ...facts({
            label: "SMS parts per SIM and day",
            hint: "Prepaid SIMs are capped by the carrier.",
            unit: "SMS parts",
            editable: true,
          }),
          default: 500,
          minimum: 1,
          description: "SMS parts per day (prepaid SIMs are capped by the carrier).",
        }),
        perSimPerMonth: Type.Integer({
          ...facts({ label: "SMS parts per SIM and month", unit: "SMS parts", editable: true }),
          default: 10000,
          minimum: 1,
          description: "SMS parts per calendar month.",
        }),
        perMinute: Type.Integer({
          ...facts({ label: "SMS parts per minute", unit: "SMS parts", editable: true }),
          default: 30,
          minimum: 1,
          description: "SMS parts per minute.",
        }),
      },
      { ...facts({ label: "Limits" }), default: {} },
    ),
    retry: Type.Object(
      {
        maxAttempts: Type.Integer({
          ...facts({
            label: "Attempts per message",
            hint: "A message that failed for a temporary reason is tried at most this often.",
            unit: "attempts",
            editable: true,
          }),
          default: 8,
          minimum: 1,
        }),
        baseDelayMs: Type.Integer({
          ...facts({ label: "First wait before a retry", unit: "milliseconds", editable: true }),
          default: 30000,
          minimum: 100,
        }),
        maxDelayMs: Type.Integer({
          ...facts({ label: "Longest wait before a retry", unit: "milliseconds", editable: true }),
          default: 3600000,
          minimum: 1000,
        }),
        jitter: Type.Number({
          ...facts({
            label: "Random share of each wait",
            hint: "0 waits exactly, 1 draws the whole wait at random.",
            editable: true,
          }),
          default: 0.5,
          minimum: 0,
          maximum: 1,
          description:
            "Fraction of each delay drawn at random, so that messages failed together do not retry together.",
        }),
        modemPauseMs: Type.Integer({
          ...facts({ label: "Pause after a modem failure", unit: "milliseconds", editable: true }),
          default: 5000,
          minimum: 0,
          description:
            "After a modem-level failure (timeout, unplugged, no network) the sender pauses this long before trying the next message.",
        }),
      },
      {
        ...facts({ label: "Retries" }),
        default: {},
        description: "Exponential backoff with jitter for temporary failures.",
      },
    ),
    notReadyPollMs: Type.Integer({
      default: 2000,
      minimum: 10,
      description: "While the modem is not ready, how often the sender looks again (no attempt is counted).",
    }),
    inDoubt: Type.Union([Type.Literal("fail"), Type.Literal("resend")], {
      default: "fail",
      description:
        "A part that may or may not have left the modem (the service died while it was `sending`, or AT+CMGS timed out after the PDU was handed over): fail the message (never risk a duplicate; default) or resend the part.",
    }),
    replyHoldMs: Type.Integer({
      default: 300,
      minimum: 0,
      maximum: 10000,
      description:
        "When an inbound SMS is announced (+CMTI), no reminder part starts for at most this long (counted again when the part on the air ends), so that the keyword reply goes next; it ends as soon as the reply is queued or inbound answers nothing. 0 turns the hold off.",
    }),
    reminderExpiryHours: Type.Integer({
      default: 72,
      minimum: 1,
      description: "A reminder not sent within this time is expired.",
    }),
    deliveryReportWindowHours: Type.Integer({
      default: 72,
      minimum: 1,
      description: "How long a part waits for its delivery report.",
    }),
    costPerPart: Type.Number({
      default: 0.09,
      minimum: 0,
      description: "Cost of one SMS part, in the default currency, for estimates and reports.",
    }),
    failover: Type.Object(
      {
        outAfter: Type.Integer({
          default: 3,
          minimum: 1,
          maximum: 100,
          description:
            "Consecutive SIM-level failures (+CMS ERROR 38, 42, 500, SIM errors) that take a SIM of the pool out of rotation; a blocking one (8, 10, 50, 69, 193) takes it out at once.",
        }),
        retryBaseMs: Type.Integer({
          default: 60_000,
          minimum: 100,
          description: "First wait before a SIM out of rotation is tried again; doubles while it keeps failing.",
        }),
        retryMaxMs: Type.Integer({
          default: 3_600_000,
          minimum: 1000,
          description: "Longest wait between two tries of a SIM out of rotation.",
        }),
      },
      {
        default: {},
        description:
          "A SIM of the modem pool that is blocked or keeps failing is taken out of rotation (its work goes to the others), tried again on a backoff, and back once a part goes through.",
      },
    ),
  },
  { default: {}, description: "The durable outbox: send windows, limits, retries." },
);
