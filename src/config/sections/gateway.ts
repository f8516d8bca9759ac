import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

export const GatewaySection = Type.Object(
  {
    id: Type.String({
      default: "duegate",
      pattern: "^[A-Za-z0-9_-]{1,64}$",
      description: "This appliance's id: in MQTT topics and status, so that several gateways can share one broker.",
    }),
    companyName: Type.String({
      ...facts({ label: "Company name", hint: "Used in reminders ({{company}}) and in HELP replies.", editable: true }),
      default: "Example Alarm Co.",
      description: "The creditor's name, used in templates ({{company}}) and HELP replies.",
    }),
    ownNumber: Type.String({
      ...facts({ label: "The SIM's own number", hint: "Shown in reminders as {{gatewayNumber}}.", editable: true }),
      default: "",
      description: "The SIM's own number, shown in templates as {{gatewayNumber}}.",
    }),
    supportContact: Type.String({
      ...facts({
        label: "Support contact",
        hint: "How a debtor reaches a person (phone or e-mail), used in HELP replies.",
        editable: true,
      }),
      default: "",
      description: "How a debtor reaches a person (phone or e-mail), used in HELP replies.",
    }),
    defaultRegion: Type.String({
      default: "DE",
      pattern: "^[A-Z]{2}$",
      description: "ISO 3166 region for numbers written without a country code.",
    }),
    defaultTimeZone: Type.String({
      default: "Europe/Berlin",
      description:
        "IANA time zone of a recipient whose account names none and whose number's country is unknown (else the country's zone is used); also the gateway's own day for reports and daily limits.",
    }),
    defaultLocale: Type.String({
      default: "en-GB",
      description:
        "BCP 47 locale given to accounts that name none, and to a number without an account whose country is unknown.",
    }),
    defaultCurrency: Type.String({
      default: "EUR",
      pattern: "^[A-Z]{3}$",
      description: "ISO 4217 currency for records that name none.",
    }),
    dataDir: Type.String({
      default: "./data",
      description: "Where duegate keeps its files (outbox, ledger, history). /var/lib/duegate on an appliance.",
    }),
  },
  { ...facts({ label: "Company" }), default: {}, description: "Who this gateway is." },
);
