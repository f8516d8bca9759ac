/**
 * The embedded broker's logins for an admin: who the accounting server connects as, how it
 * reaches the broker (ports, certificate fingerprint to pin), and a new accounting password
 * on request. The password is stored hashed: it is returned once, by the rotation, and never
 * again (docs/mqtt.md, Credentials).
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { MqttCredentialsPort } from "../../service/index.js";
import { ErrorCode } from "../../core/errors.js";
import { sendError } from "../errors.js";

export const mqttCredentialRoutes: FastifyPluginAsync<{ services: { mqttCredentials?: MqttCredentialsPort } }> = async (
  app,
  { services },
) => {
  app.get("/mqtt/credentials", {
    config: { scope: "admin" },
    schema: {
      tags: ["mqtt"],
      summary: "The embedded MQTT broker's users and listeners (no password)",
      response: {
        200: Type.Object(
          {
            username: Type.String(),
            source: Type.Union([Type.Literal("configured"), Type.Literal("generated")]),
            readers: Type.Array(Type.String()),
            listeners: Type.Object({}, { additionalProperties: true }),
          },
          { additionalProperties: true },
        ),
      },
    },
    handler: async (_request, reply) => {
      const view = await services.mqttCredentials?.view();
      if (!view)
        return sendError(
          reply,
          404,
          ErrorCode.NotFound,
          "the embedded MQTT broker is not running (mqtt.mode is not embedded)",
        );
      return view;
    },
  });

  app.post("/mqtt/credentials/rotate", {
    config: { scope: "admin" },
    schema: {
      tags: ["mqtt"],
      summary:
        "A new password for the accounting server's MQTT user, shown only in this answer; clients using the old one are disconnected",
      response: { 200: Type.Object({ username: Type.String(), password: Type.String() }) },
    },
    handler: async (request, reply) => {
      if (!services.mqttCredentials)
        return sendError(reply, 404, ErrorCode.NotFound, "the embedded MQTT broker is not running");
      const login = await services.mqttCredentials.rotate();
      request.log.warn(
        { user: login.username, by: request.principal?.name },
        "MQTT password of the accounting server rotated",
      );
      // Never cached by a browser or a proxy.
      void reply.header("cache-control", "no-store");
      return login;
    },
  });
};
