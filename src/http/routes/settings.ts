/**
 * The appliance's settings as a REST resource (docs/http.md, Settings): GET reads the
 * configuration in force with every secret masked and the keys an administrator may change,
 * each described in words from the schema's facts (src/config/setting-facts.ts); PATCH changes
 * some of those keys. A refused change names each field by its label and says the valid range,
 * {error: {code, message, field, fields: [{field, message}]}}, and nothing is saved.
 */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import { ErrorCode } from "../../core/errors.js";
import { redactConfig } from "../web/settings-view.js";
import type { PanelSettings } from "../web/ports.js";
import { sendError } from "../errors.js";
import { FieldsRefused } from "../schemas.js";

const Change = Type.Record(Type.String({ maxLength: 100 }), Type.Unknown(), {
  maxProperties: 100,
  description: 'Dotted keys and their new values, e.g. {"outbox.sendWindow.end": "20:00"}.',
});

const Field = Type.Object({
  key: Type.String(),
  label: Type.String(),
  hint: Type.Optional(Type.String()),
  unit: Type.Optional(Type.String()),
  expected: Type.String({ description: 'The valid values in words: "a whole number between 1 and 60 minutes".' }),
  format: Type.Optional(Type.String({ description: 'What a valid text looks like: "a time like 08:00".' })),
  kind: Type.String({ description: "switch, whole-number, number, text, choice, list, number-list or json." }),
  choices: Type.Optional(Type.Array(Type.Object({ value: Type.Unknown(), label: Type.String() }))),
  minimum: Type.Optional(Type.Number()),
  maximum: Type.Optional(Type.Number()),
  secret: Type.Boolean({ description: "Never shown: secrets says set or not set." }),
  restart: Type.Boolean({ description: "A change takes effect after the next start." }),
  section: Type.String(),
  sectionLabel: Type.String(),
  sectionHint: Type.Optional(Type.String()),
});

const Editable = Type.Object({
  keys: Type.Array(Type.String()),
  fields: Type.Array(Field),
  values: Type.Record(Type.String(), Type.Unknown(), { description: "The value of each key that is not secret." }),
  secrets: Type.Record(Type.String(), Type.Union([Type.Literal("set"), Type.Literal("not set")])),
  fromPanel: Type.Array(Type.String(), { description: "Keys whose value was saved in the panel (settings.yaml)." }),
  locked: Type.Record(Type.String(), Type.String(), {
    description: "Keys fixed by an environment variable (its name), which wins over the panel.",
  }),
});

const Settings = Type.Object({
  config: Type.Object({}, { additionalProperties: true, description: "The configuration in force, secrets masked." }),
  editable: Type.Union([Editable, Type.Null()]),
  version: Type.Union([Type.String(), Type.Null()]),
  startedAt: Type.Union([Type.Number(), Type.Null()]),
});

const Saved = Type.Object({
  changed: Type.Array(Type.String()),
  restartRequired: Type.Array(Type.String(), { description: "Changed keys that take effect after the next start." }),
  editable: Editable,
});

/** Every 400 of this route: a refused change (with fields) or a body that is no change at all (src/http/errors.ts). */
const Refused = FieldsRefused("key");

export interface SettingsServices {
  readonly settings?: PanelSettings;
  readonly config?: unknown;
  readonly version?: string;
  readonly startedAt?: number;
}

export const settingsRoutes: FastifyPluginAsync<{ services: SettingsServices }> = async (app, { services: s }) => {
  app.get("/settings", {
    config: { scope: "read" },
    schema: {
      tags: ["settings"],
      summary: "The configuration in force (secrets masked) and the settings an administrator may change",
      response: { 200: Settings },
    },
    handler: async () => ({
      config: redactConfig(s.config ?? {}) as Record<string, unknown>,
      editable: s.settings?.view() ?? null,
      version: s.version ?? null,
      startedAt: s.startedAt ?? null,
    }),
  });

  app.patch<{ Body: Static<typeof Change> }>("/settings", {
    config: { scope: "admin" },
    bodyLimit: 64 * 1024,
    schema: {
      tags: ["settings"],
      summary:
        "Change settings: saved on the appliance (<dataDir>/settings.yaml) and in force at once unless restartRequired names them",
      body: Change,
      response: { 200: Saved, 400: Refused },
    },
    handler: async (request, reply) => {
      if (!s.settings) return sendError(reply, 404, ErrorCode.NotFound, "settings cannot be changed on this appliance");
      const by = request.principal?.name ?? "api";
      const result = await s.settings.update(request.body, by);
      if (!result.ok) {
        const [first] = result.problems;
        return reply.code(400).send({
          error: {
            code: ErrorCode.ConfigInvalid,
            message: first?.message ?? "the settings are invalid",
            field: first?.field ?? "",
            fields: result.problems,
          },
        });
      }
      request.log.info({ event: "panel.settings", keys: result.changed, by }, "settings changed in the panel");
      return { changed: result.changed, restartRequired: result.restartRequired, editable: s.settings.view() };
    },
  });
};
