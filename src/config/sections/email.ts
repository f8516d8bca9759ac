import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

/**
 * E-mail as a second channel, through the company's own SMTP relay (docs/email.md). Off by
 * default: an appliance that only has a GSM modem sends SMS and nothing else.
 */
export const EmailSection = Type.Object(
  {
    enabled: Type.Boolean({
      ...facts({
        label: "Send reminders by e-mail too",
        hint: "The test mail works before it is switched on.",
        editable: true,
        restart: true,
      }),
      default: false,
      description:
        "Send reminders by e-mail too (through the relay below). Off: e-mail steps and preferences are ignored, SMS only.",
    }),
    host: Type.String({
      ...facts({
        label: "SMTP server",
        hint: "The company's mail server or smarthost, by name or address.",
        editable: true,
      }),
      default: "",
      description: "The SMTP relay's host name or address (the company's mail server or its smarthost).",
    }),
    port: Type.Integer({
      ...facts({ label: "SMTP port", hint: "587 for STARTTLS, 465 for TLS, 25 on a trusted LAN.", editable: true }),
      default: 587,
      minimum: 1,
      maximum: 65535,
      description: "The relay's port: 587 (submission, STARTTLS), 465 (implicit TLS) or 25.",
    }),
    secure: Type.Union([Type.Literal("starttls"), Type.Literal("tls"), Type.Literal("none")], {
      ...facts({
        label: "Security",
        choices: {
          starttls: "STARTTLS (port 587)",
          tls: "TLS from the start (port 465)",
          none: "none (trusted LAN only)",
        },
        editable: true,
      }),
      default: "starttls",
      description:
        "starttls: upgrade after EHLO and refuse to go on without it; tls: TLS from the first byte (port 465); none: plain text (only on a trusted LAN or loopback).",
    }),
    rejectUnauthorized: Type.Boolean({
      ...facts({ label: "Check the server's certificate", editable: true }),
      default: true,
      description:
        "Check the relay's TLS certificate against the system's CAs (or `ca`). Turn off only for a relay with a self-signed certificate on the LAN.",
    }),
    ca: Type.String({
      default: "",
      description: "PEM file of the CA that signed the relay's certificate (empty: the system's CAs).",
    }),
    user: Type.String({
      ...facts({
        label: "SMTP user",
        hint: "Empty: no login (a relay that trusts the appliance's address).",
        editable: true,
      }),
      default: "",
      description: "SMTP AUTH user (empty: no authentication, a relay that trusts the appliance's address).",
    }),
    password: Type.String({
      ...facts({ label: "SMTP password", secret: true, editable: true }),
      default: "",
      description: "SMTP AUTH password; never logged, shown as set/not set in the panel.",
    }),
    from: Type.String({
      ...facts({
        label: "Sender address",
        hint: "The From address, e.g. billing@example.com; the relay must accept it.",
        format: "an e-mail address like billing@example.com",
        editable: true,
      }),
      default: "",
      description:
        "The sender address (From), e.g. billing@example.com; the relay must accept it (SPF/DKIM: docs/email.md).",
    }),
    fromName: Type.String({
      default: "",
      description: "Display name beside the From address (empty: gateway.companyName).",
    }),
    replyTo: Type.String({
      default: "",
      description: "Where debtors' answers go (Reply-To); empty: the From address.",
    }),
    unsubscribeMailto: Type.String({
      default: "",
      description: "Address for the mailto: part of List-Unsubscribe (empty: replyTo or from).",
    }),
    publicUrl: Type.String({
      default: "",
      description:
        "The panel's address as debtors reach it (https://billing.example.com), for the one-click unsubscribe link; empty: the link is left out, mailto only.",
    }),
    unsubscribeSecret: Type.String({
      ...facts({ label: "Unsubscribe link key", secret: true }),
      default: "",
      description:
        "Key that signs unsubscribe links (HMAC-SHA256); empty: one is generated and kept in the data directory. Never logged.",
    }),
    stopAlsoStopsEmail: Type.Boolean({
      default: false,
      description:
        "STOP by SMS stops e-mail too. Off: STOP stops SMS only and the e-mail unsubscribe link stops e-mail only.",
    }),
    ratePerMinute: Type.Integer({
      default: 60,
      minimum: 1,
      maximum: 10000,
      description: "Most mails handed to the relay per minute (relays throttle or block bursts).",
    }),
    connectionTimeoutMs: Type.Integer({
      default: 10000,
      minimum: 500,
      description: "How long to wait for the relay to accept the connection.",
    }),
    greetingTimeoutMs: Type.Integer({
      default: 10000,
      minimum: 500,
      description: "How long to wait for the relay's greeting after connecting.",
    }),
    socketTimeoutMs: Type.Integer({
      default: 30000,
      minimum: 1000,
      description: "Longest silence during a session before the mail counts as a temporary failure.",
    }),
  },
  {
    ...facts({ label: "E-mail (SMTP relay)", hint: "Saved settings are used by the next mail; no restart." }),
    default: {},
    description: "E-mail through the company's SMTP relay (docs/email.md). Disabled by default.",
  },
);
