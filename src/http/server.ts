/**
 * The HTTP server: auth (the web engineer's plugin, shared with the whole server), the web
 * panel, the REST API under /api/v1 with its OpenAPI document, and /health. It never
 * listens: src/app.ts calls listen, tests call inject() (fastify docs, Testing).
 */
import { emailRoutes } from "./routes/email.js";
import Fastify, { type FastifyInstance, type FastifySchemaCompiler } from "fastify";
import { Ajv } from "ajv";
import formatsPlugin from "ajv-formats";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { AuthService } from "../auth/index.js";
import type { AppServices } from "../app-services.js";
import { authPlugin } from "./auth/index.js";
import { webPlugin, type WebServices } from "./web/index.js";
import { apiErrorHandler, sendError } from "./errors.js";
import { ErrorCode } from "../core/errors.js";
import type { HttpServices } from "./ports.js";
import { recordRoutes } from "./routes/records.js";
import { messageRoutes } from "./routes/messages.js";
import { queryRoutes } from "./routes/queries.js";
import { importRoutes } from "./routes/import.js";
import { reportRoutes } from "./routes/reports.js";

// ajv-formats ships CJS with a default export object; under NodeNext its call signature sits on .default.
const addFormats = ((formatsPlugin as unknown as { default?: unknown }).default ?? formatsPlugin) as (a: Ajv) => Ajv;

export type ServerServices = HttpServices & WebServices;

// AppServices (the composition root's) must fit what the server asks for.
type AppFits = AppServices extends ServerServices ? true : never;
const _appFits: AppFits = true;

export interface ServerOptions {
  auth: AuthService;
  /** Folder of the panel's files (tests). */
  webRoot?: string;
  /** Leave the web panel out (API-only tests). */
  web?: boolean;
}

export async function buildServer(services: ServerServices, opts: ServerOptions): Promise<FastifyInstance> {
  const { http } = services.config;
  const root = Fastify({
    // Request lines are info: one per request on the SD card would be too much. Warnings and errors stay.
    loggerInstance: services.logger.child({ subsystem: "http" }, { level: "warn" }),
    bodyLimit: http.bodyLimitBytes,
    return503OnClosing: true,
  });
  root.setValidatorCompiler(validatorCompiler());
  const app = root.withTypeProvider<TypeBoxTypeProvider>();

  await app.register(swagger, {
    openapi: {
      info: { title: "duegate API", version: services.version, description: "Accounts, invoices, payments, SMS and reports. The same payloads as the MQTT topics (docs/mqtt.md)." },
      components: { securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An API key with scope read or write (web panel, Settings, API keys)." } } },
      security: [{ apiKey: [] }],
    },
    // Only the API is documented; the panel's own routes are not a contract.
    transform: ({ schema, url }) => ({ schema: url.startsWith("/api/v1/") && !url.startsWith("/api/v1/panel") ? schema : { ...schema, hide: true }, url }),
  });

  await app.register(authPlugin, { auth: opts.auth, secureCookies: http.secureCookies, clock: services.clock });
  if (opts.web !== false) await app.register(webPlugin, { services, ...(opts.webRoot ? { webRoot: opts.webRoot } : {}) });

  app.get("/health", { config: { scope: "public" }, schema: { hide: true } }, async () => ({ status: "ok" }));

  await app.register(
    async (api) => {
      api.setErrorHandler(apiErrorHandler);
      api.setNotFoundHandler((request, reply) => sendError(reply, 404, ErrorCode.NotFound, `no route ${request.method} ${request.url}`));
      // Rate limit for every API route (the plugin itself is registered by the auth plugin).
      api.addHook("onRoute", (route) => {
        route.config = { ...(route.config ?? {}), rateLimit: { max: http.rateLimitPerMinute, timeWindow: 60_000 } } as typeof route.config;
      });
      api.get("/openapi.json", { config: { scope: "public" }, schema: { hide: true } }, async () => app.swagger());
      await api.register(recordRoutes, { services });
      await api.register(messageRoutes, { services });
      await api.register(queryRoutes, { services });
      await api.register(reportRoutes, { services });
      await api.register(importRoutes, { services });
      await api.register(emailRoutes, { services });
    },
    { prefix: "/api/v1" },
  );
  await app.register(swaggerUi, { routePrefix: "/api/v1/docs" });
  // The pino Logger type is wider than FastifyBaseLogger's generic slot; the instance is the same.
  return root as unknown as FastifyInstance;
}

/**
 * Two ajv instances, chosen by the part of the request. A query string, path parameters and
 * headers are text by nature: "limit=5" is the number 5 ("array": a single value for a list).
 * A JSON body already carries its types and is read as MQTT reads it (src/api/validate.ts):
 * "optedOut": "true" or "id": true is refused with the field named, never turned into
 * another value. In both, a record with an unknown field is refused, not silently trimmed.
 */
function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const common = { removeAdditional: false, useDefaults: true, allErrors: false } as const;
  const text = addFormats(new Ajv({ ...common, coerceTypes: "array" }));
  const json = addFormats(new Ajv({ ...common, coerceTypes: false }));
  return ({ schema, httpPart }) => (httpPart === "body" ? json : text).compile(schema as object);
}

export { _appFits };
