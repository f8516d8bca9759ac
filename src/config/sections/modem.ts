import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

export const ModemSection = Type.Object(
  {
    port: Type.String({
      default: "sim",
      description:
        "The modem: a device path (/dev/duegate-modem, /dev/serial/by-id/...), tcp://host:port (ser2net), or sim for the built-in simulator.",
    }),
    baudRate: Type.Integer({ default: 115200, minimum: 300, description: "Serial speed; USB modems ignore it." }),
    profile: Type.String({
      default: "generic",
      description: "Modem profile from firmware-config/profiles: generic, sim800, sim7600, ec25, e3372.",
    }),
    pin: Type.String({
      ...facts({ label: "SIM PIN", secret: true }),
      default: "",
      description: "SIM PIN, if the SIM asks for one. Never logged.",
    }),
    smsc: Type.String({ default: "", description: "SMS centre number; empty uses the one stored on the SIM." }),
    statusReports: Type.Boolean({ default: true, description: "Ask the network for delivery reports." }),
    validityMinutes: Type.Integer({
      default: 1440,
      minimum: 5,
      maximum: 635040,
      description: "How long the network keeps trying to deliver an SMS (TP-VP).",
    }),
    healthIntervalSeconds: Type.Integer({
      default: 60,
      minimum: 5,
      description: "How often signal, registration and operator are read.",
    }),
    concatReference: Type.Union([Type.Literal(8), Type.Literal(16)], {
      default: 8,
      description: "Concatenation reference size (bits) in the UDH of multipart messages.",
    }),
    transliterate: Type.Boolean({
      default: true,
      description:
        "Replace curly quotes, long dashes, non-breaking spaces and ellipses by GSM-7 look-alikes so that one such character does not force UCS-2.",
    }),
    portRecheckSeconds: Type.Integer({
      default: 5,
      minimum: 1,
      maximum: 300,
      description:
        "Hot plug: a modem's device path (/dev/serial/by-id/...) is watched for appearing and disappearing, and looked at again this often as well, in case the watch misses a change. An unplugged modem is out of rotation until it appears again (docs/modems.md, Hot plug).",
    }),
    stopGraceMs: Type.Integer({
      default: 5000,
      minimum: 0,
      maximum: 25_000,
      description:
        "On stop (SIGTERM), how long a command in flight (a send to a hung modem) may still take before it is cut short and the part recorded as a temporary, possibly in-doubt failure. Keep it well under systemd's TimeoutStopSec (30 s).",
    }),
    recovery: Type.Object(
      {
        backoffBaseMs: Type.Integer({
          default: 500,
          minimum: 10,
          maximum: 60_000,
          description: "First wait before reopening a modem port that hung or vanished; doubles per failed attempt.",
        }),
        backoffMaxMs: Type.Integer({
          default: 30_000,
          minimum: 100,
          maximum: 600_000,
          description: "Longest wait between reopen attempts.",
        }),
        resetAfter: Type.Integer({
          default: 3,
          minimum: 1,
          maximum: 100,
          description: "Failed reopen attempts before the profile's reset command (AT+CFUN=1,1).",
        }),
        powerCycleAfter: Type.Integer({
          default: 6,
          minimum: 1,
          maximum: 100,
          description: "Failed reopen attempts before a USB power cycle (only with modem.uhubctl).",
        }),
      },
      { default: {}, description: "The recovery ladder: retry once, reopen with backoff, reset, USB power cycle." },
    ),
    uhubctl: Type.Optional(
      Type.Object(
        { location: Type.String(), port: Type.String() },
        { description: "Last-resort USB power cycle with uhubctl: hub location and port." },
      ),
    ),
    simulator: Type.Object(
      {
        sendLatencyMs: Type.Integer({
          default: 300,
          minimum: 0,
          description: "Simulated radio time per part (sim only).",
        }),
        deliveryReportDelayMs: Type.Integer({
          default: 2000,
          minimum: 0,
          description: "Delay before a simulated delivery report.",
        }),
        ownNumber: Type.String({ default: "+491700000000", description: "The simulated SIM's number." }),
        storageSize: Type.Integer({
          default: 30,
          minimum: 1,
          maximum: 255,
          description: "SMS slots of the simulated SIM (sim only).",
        }),
      },
      { default: {} },
    ),
  },
  { default: {}, description: "The GSM modem." },
);

/** One SIM's sending budget; a key left out takes the outbox.limits value. */
const SimLimits = Type.Object(
  {
    partsPerMinute: Type.Optional(
      Type.Integer({
        ...facts({ label: "SMS parts per minute", unit: "SMS parts" }),
        minimum: 1,
        description: "SMS parts this SIM sends per minute (default outbox.limits.perMinute).",
      }),
    ),
    partsPerDay: Type.Optional(
      Type.Integer({
        ...facts({ label: "SMS parts per day", unit: "SMS parts" }),
        minimum: 1,
        description:
          "SMS parts per local day; carriers block a consumer SIM past a few hundred (default outbox.limits.perSimPerDay).",
      }),
    ),
    partsPerMonth: Type.Optional(
      Type.Integer({
        ...facts({ label: "SMS parts per month", unit: "SMS parts" }),
        minimum: 1,
        description: "SMS parts per calendar month (default outbox.limits.perSimPerMonth).",
      }),
    ),
  },
  { default: {}, description: "This SIM's limits; a message waits when every SIM it may use is at its limit." },
);

/** A modem of the pool: its port and its SIM. Settings not listed here come from the `modem:` section. */
export const PoolModem = Type.Object(
  {
    id: Type.String({
      ...facts({
        label: "Modem id",
        format: "up to 32 lowercase letters, digits, - and _, starting with a letter or digit",
      }),
      pattern: "^[a-z0-9][a-z0-9_-]{0,31}$",
      description:
        "Short name of this modem (lowercase letters, digits, - and _): in logs, events, metrics and on each message it sent.",
    }),
    port: Type.String({
      ...facts({ label: "Port", format: "a device path like /dev/serial/by-id/…, tcp://host:port, or sim" }),
      // The forms the transport opens (src/modem/transport/resolve.ts): anything else would only retry forever.
      pattern: "^(sim|tcp://[^\\s/]+:[0-9]{1,5}|/[^\\s]+)$",
      description:
        "/dev/serial/by-id/... (stable across reboots and hub order), a udev name, tcp://host:port, or sim for a simulated modem.",
    }),
    profile: Type.Optional(
      Type.String({ ...facts({ label: "Profile" }), description: "Modem profile (default modem.profile)." }),
    ),
    baudRate: Type.Optional(Type.Integer({ minimum: 300, description: "Serial speed (default modem.baudRate)." })),
    pin: Type.Optional(
      Type.String({
        ...facts({ label: "SIM PIN", secret: true, format: "4 to 8 digits, or empty" }),
        pattern: "^([0-9]{4,8})?$",
        description: "This SIM's PIN. Never logged.",
      }),
    ),
    smsc: Type.Optional(
      Type.String({
        ...facts({ label: "SMS centre" }),
        description: "This SIM's SMS centre; empty uses the one stored on the SIM.",
      }),
    ),
    number: Type.Optional(
      Type.String({
        ...facts({ label: "SIM number" }),
        description: "This SIM's own number (E.164), shown in the panel and used by the simulator.",
      }),
    ),
    limits: SimLimits,
    costPerPart: Type.Optional(
      Type.Number({
        ...facts({ label: "Cost per SMS part" }),
        minimum: 0,
        description:
          "Price of one part through this SIM (default outbox.costPerPart); the cheapest SIM with room is used first.",
      }),
    ),
    routes: Type.Array(Type.String({ pattern: "^\\+[0-9]{1,15}$" }), {
      default: [],
      description:
        "Destination prefixes (+49, +4917) this SIM is meant for. A number matching some SIM's prefixes goes only through the SIMs with its longest matching prefix (while one of them is in rotation); other numbers go through SIMs without routes.",
    }),
    balance: Type.Optional(
      Type.Object(
        {
          ussd: Type.String({
            ...facts({ label: "Balance USSD code", format: "a code of *, # and digits like *100#" }),
            pattern: "^[*#0-9]{2,30}$",
            description: "USSD code that answers the prepaid credit (*100#).",
          }),
          intervalMinutes: Type.Integer({ default: 360, minimum: 5, description: "How often the credit is asked." }),
          warnBelow: Type.Number({
            default: 5,
            minimum: 0,
            description: "A warning is logged and published below this credit.",
          }),
        },
        { description: "Prepaid credit check by USSD (AT+CUSD); a SIM with no credit is taken out of rotation." },
      ),
    ),
    uhubctl: Type.Optional(
      Type.Object(
        { location: Type.String(), port: Type.String() },
        { description: "USB power cycle of this modem with uhubctl: hub location and port." },
      ),
    ),
    simulator: Type.Optional(
      Type.Object(
        {
          sendLatencyMs: Type.Optional(
            Type.Integer({
              minimum: 0,
              description: "Simulated radio time per part (default modem.simulator.sendLatencyMs).",
            }),
          ),
        },
        { description: "Simulator settings of this modem (port sim only)." },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ModemsSection = Type.Array(PoolModem, {
  // Edited modem by modem on the panel's Modem page (src/http/routes/pool-entries.ts), live through hot plug.
  ...facts({ label: "Modems", editable: true, ownPage: "modem" }),
  default: [],
  description:
    "A pool of modems, each with its own SIM (docs/modems.md, Pool). Empty: the single modem of the `modem:` section. Each listed modem takes its port, SIM and limits from its entry and everything else (timeouts, recovery, delivery reports, validity) from `modem:`.",
});
