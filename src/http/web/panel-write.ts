/** The modem's AT console in the panel (admin). */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import type { WebServices } from "./ports.js";

const Console = Type.Object({ command: Type.String({ minLength: 2, maxLength: 64 }) }, { additionalProperties: false });

function need<T>(service: T | undefined, name: string): T {
  if (!service)
    throw new DuegateError(ErrorCode.NotFound, `${name} is not running on this appliance`, { service: name });
  return service;
}

export const panelWriteRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services: s }) => {
  app.post<{ Body: Static<typeof Console> }>(
    "/api/v1/panel/modem/console",
    { schema: { body: Console }, config: { scope: "admin" } },
    async (request) => {
      const modem = need(s.modem, "the modem");
      if (!modem.console) throw new DuegateError(ErrorCode.NotFound, "this modem driver has no console", {});
      request.log.info(
        { event: "panel.at_console", command: request.body.command, by: request.principal?.name },
        "AT console",
      );
      // The modem allows only safe commands (its allow-list); what it refuses comes back as an error.
      return { command: request.body.command, lines: await modem.console(request.body.command) };
    },
  );
};
