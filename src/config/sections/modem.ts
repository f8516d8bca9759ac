import { Type } from "@sinclair/typebox";

export const ModemSection = Type.Object(
  {
    port: Type.String({ default: "sim", description: "The modem: a device path (/dev/duegate-modem, /dev/serial/by-id/...), tcp://host:port (ser2net), or sim for the built-in simulator." }),
    baudRate: Type.Integer({ default: 115200, minimum: 300, description: "Serial speed; USB modems ignore it." }),
    profile: Type.String({ default: "generic", description: "Modem profile from firmware-config/profiles: generic, sim800, sim7600, ec25, e3372." }),
    pin: Type.String({ default: "", description: "SIM PIN, if the SIM asks for one. Never logged." }),
    smsc: Type.String({ default: "", description: "SMS centre number; empty uses the one stored on the SIM." }),
    statusReports: Type.Boolean({ default: true, description: "Ask the network for delivery reports." }),
    validityMinutes: Type.Integer({ default: 1440, minimum: 5, maximum: 635040, description: "How long the network keeps trying to deliver an SMS (TP-VP)." }),
    healthIntervalSeconds: Type.Integer({ default: 60, minimum: 5, description: "How often signal, registration and operator are read." }),
    concatReference: Type.Union([Type.Literal(8), Type.Literal(16)], { default: 8, description: "Concatenation reference size (bits) in the UDH of multipart messages." }),
    transliterate: Type.Boolean({ default: true, description: "Replace curly quotes, long dashes, non-breaking spaces and ellipses by GSM-7 look-alikes so that one such character does not force UCS-2." }),
    stopGraceMs: Type.Integer({ default: 5000, minimum: 0, maximum: 25_000, description: "On stop (SIGTERM), how long a command in flight (a send to a hung modem) may still take before it is cut short and the part recorded as a temporary, possibly in-doubt failure. Keep it well under systemd's TimeoutStopSec (30 s)." }),
    recovery: Type.Object(
      {
        backoffBaseMs: Type.Integer({ default: 500, minimum: 10, maximum: 60_000, description: "First wait before reopening a modem port that hung or vanished; doubles per failed attempt." }),
        backoffMaxMs: Type.Integer({ default: 30_000, minimum: 100, maximum: 600_000, description: "Longest wait between reopen attempts." }),
        resetAfter: Type.Integer({ default: 3, minimum: 1, maximum: 100, description: "Failed reopen attempts before the profile's reset command (AT+CFUN=1,1)." }),
        powerCycleAfter: Type.Integer({ default: 6, minimum: 1, maximum: 100, description: "Failed reopen attempts before a USB power cycle (only with modem.uhubctl)." }),
      },
      { default: {}, description: "The recovery ladder: retry once, reopen with backoff, reset, USB power cycle." },
    ),
    uhubctl: Type.Optional(Type.Object({ location: Type.String(), port: Type.String() }, { description: "Last-resort USB power cycle with uhubctl: hub location and port." })),
    simulator: Type.Object(
      {
        sendLatencyMs: Type.Integer({ default: 300, minimum: 0, description: "Simulated radio time per part (sim only)." }),
        deliveryReportDelayMs: Type.Integer({ default: 2000, minimum: 0, description: "Delay before a simulated delivery report." }),
        ownNumber: Type.String({ default: "+491700000000", description: "The simulated SIM's number." }),
        storageSize: Type.Integer({ default: 30, minimum: 1, maximum: 255, description: "SMS slots of the simulated SIM (sim only)." }),
      },
      { default: {} },
    ),
  },
  { default: {}, description: "The GSM modem." },
);
