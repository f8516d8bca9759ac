/**
 * The modem pool over REST (docs/http.md, "Modems"): every modem's figures, one modem's,
 * the doctor's checks on one running modem and its AT console. The web panel's Modem page
 * and dashboard use these same routes with its session. Read scope looks and runs the
 * doctor (its checks are queries, queued behind sends); the AT console is for admins.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { ModemFigures } from "../../api/events.js";
import type { ModemRoster } from "../../service/modems.js";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { SerialPortInfo } from "../web/ports.js";
import { setting } from "../web/settings-view.js";
import { ListView, type PoolEntriesPort } from "./pool-entries.js";

export type ModemsPort = Pick<ModemRoster, "list" | "get" | "doctor" | "console">;

const IdParam = Type.Object({
  id: Type.String({
    minLength: 1,
    maxLength: 64,
    description: "The modem's id (modems[].id; modem for a single one).",
  }),
});
const ConsoleBody = Type.Object(
  {
    command: Type.String({
      minLength: 2,
      maxLength: 64,
      description: "One read-only AT command (AT+CSQ, AT+CREG?, ...); the modem's allow-list refuses the others.",
    }),
  },
  { additionalProperties: false },
);
const SerialPort = Type.Object({
  path: Type.String(),
  byId: Type.Optional(Type.String()),
  vendorId: Type.Optional(Type.String()),
  productId: Type.Optional(Type.String()),
  serialNumber: Type.Optional(Type.String()),
  manufacturer: Type.Optional(Type.String()),
});
const ModemList = Type.Object({
  total: Type.Integer(),
  currency: Type.String({ description: "The currency of cost and costPerPart (gateway.defaultCurrency)." }),
  items: Type.Array(ModemFigures),
  serialPorts: Type.Array(SerialPort, { description: "Serial ports the system sees (nothing is opened)." }),
  serialPortsError: Type.Optional(Type.String({ description: "Why the ports could not be listed." })),
  configured: Type.Optional(ListView),
  profiles: Type.Optional(
    Type.Array(Type.String(), { description: "The modem profiles this appliance has (firmware-config/profiles)." }),
  ),
});
const Signal = Type.Object({ rssi: Type.Number(), bars: Type.Number(), dbm: Type.Optional(Type.Number()) });
const DoctorReport = Type.Object({
  modemId: Type.String(),
  checks: Type.Array(
    Type.Object({
      name: Type.String(),
      ok: Type.Boolean(),
      detail: Type.String(),
      hint: Type.Optional(Type.String()),
      signal: Type.Optional(Signal),
    }),
  ),
  at: Type.Integer(),
});
const ConsoleAnswer = Type.Object({ modemId: Type.String(), command: Type.String(), lines: Type.Array(Type.String()) });

/** Listing ports is read-only, but a hung USB stack must not hold the request: 3 s at most. */
async function serialPorts(
  listPorts: (() => Promise<SerialPortInfo[]>) | undefined,
): Promise<{ serialPorts: SerialPortInfo[]; serialPortsError?: string }> {
  if (!listPorts) return { serialPorts: [] };
  try {
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("port listing took over 3 s")), 3000).unref(),
    );
    return { serialPorts: await Promise.race([listPorts(), timeout]) };
  } catch (e) {
    return { serialPorts: [], serialPortsError: e instanceof Error ? e.message : String(e) };
  }
}

export const modemRoutes: FastifyPluginAsync<{
  services: {
    modems?: ModemsPort;
    config?: unknown;
    serialPorts?: () => Promise<SerialPortInfo[]>;
    poolEntries?: Pick<PoolEntriesPort, "profiles" | "view">;
  };
}> = async (app, { services }) => {
  const roster = (): ModemsPort => {
    if (!services.modems)
      throw new DuegateError(ErrorCode.NotFound, "no modem runs on this appliance", { service: "modems" });
    return services.modems;
  };

  app.get("/modems", {
    config: { scope: "read" },
    schema: {
      tags: ["modems"],
      summary:
        "Every modem of the pool: state, signal, registration, operator, SIM number, credit, parts against limits, cost, rotation",
      response: { 200: ModemList },
    },
    handler: async () => {
      const items = roster().list();
      const currency = setting(services.config, "gateway.defaultCurrency", "EUR");
      const pool = services.poolEntries;
      const editing = pool ? { configured: pool.view(), profiles: [...pool.profiles()] } : {};
      return { total: items.length, items, currency, ...(await serialPorts(services.serialPorts)), ...editing };
    },
  });

  app.get("/modems/:id", {
    config: { scope: "read" },
    schema: {
      tags: ["modems"],
      summary: "One modem's figures",
      params: IdParam,
      response: { 200: ModemFigures },
    },
    handler: async (request) => roster().get((request.params as { id: string }).id),
  });

  app.post("/modems/:id/doctor", {
    config: { scope: "read" },
    schema: {
      tags: ["modems"],
      summary:
        "The checks of duegate doctor on one running modem (AT, model, SIM, IMSI masked, signal, registration, operator, SMS centre, storage), queued behind its sends",
      params: IdParam,
      response: { 200: DoctorReport },
    },
    handler: async (request) => roster().doctor((request.params as { id: string }).id),
  });

  app.post("/modems/:id/console", {
    config: { scope: "admin" },
    schema: {
      tags: ["modems"],
      summary: "One read-only AT command on one modem (admin); the modem's allow-list refuses commands that change it",
      params: IdParam,
      body: ConsoleBody,
      response: { 200: ConsoleAnswer },
    },
    handler: async (request) => {
      const { id } = request.params as { id: string };
      const { command } = request.body as { command: string };
      request.log.info({ event: "panel.at_console", modem: id, command, by: request.principal?.name }, "AT console");
      return roster().console(id, command);
    },
  });
};
