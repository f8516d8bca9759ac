/**
 * The settings page's data: the configuration in force (secrets replaced) for everyone with a
 * session, and the panel-editable keys, which only administrators may change. A change is
 * validated with the config schema and refused per field: {error:{code,message,field,fields}}.
 */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { DuegateError, ErrorCode } from "../../core/errors.js";
import { redactConfig } from "./settings-view.js";
import { sendError } from "../auth/errors.js";
import type { WebServices } from "./ports.js";

const Change = Type.Object(
  { values: Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), { maxProperties: 100 }) },
  { additionalProperties: false },
);

export const settingsRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services: s }) => {
  app.get("/api/v1/panel/settings", { config: { scope: "read" } }, async () => ({
    config: redactConfig(s.config ?? {}),
    // Secrets appear as "set" / "not set" only (SettingsView.secrets).
    editable: s.settings?.view() ?? null,
    version: s.version ?? null,
    startedAt: s.startedAt ?? null,
  }));

  app.put<{ Body: Static<typeof Change> }>(
    "/api/v1/panel/settings",
    { schema: { body: Change }, bodyLimit: 64 * 1024, config: { scope: "admin" } },
    async (request, reply) => {
      if (!s.settings)
        throw new DuegateError(
          ErrorCode.NotFound,
          "settings cannot be changed on this appliance (no settings service)",
          {},
        );
      const by = request.principal?.name ?? "panel";
      const result = await s.settings.update(request.body.values, by);
      if (!result.ok) {
        const [first] = result.problems;
        return sendError(reply, 400, ErrorCode.ConfigInvalid, first?.message ?? "the settings are invalid", {
          field: first?.field ?? "",
          fields: result.problems,
        });
      }
      request.log.info({ event: "panel.settings", keys: result.changed, by }, "settings changed in the panel");
      return { changed: result.changed, restartRequired: result.restartRequired, editable: s.settings.view() };
    },
  );
};
