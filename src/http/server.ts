/**
 * The HTTP server: auth (one plugin for the whole server), the web
 * panel, the REST API under /api/v1 with its OpenAPI document, and /health. It never
 * listens: src/app.ts calls listen, tests call inject() (fastify docs, Testing).
 */
import { emailRoutes } from "./routes/email.js";
import Fastify, { type FastifyInstance, type FastifySchemaCompiler } from "fastify";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { AuthService } from "../auth/index.js";
import { QuietRequestLog } from "./request-log.js";
import { join } from "node:path";
import { loadPanelLanguages, negotiateLanguage, REFERENCE_LANGUAGE } from "./panel-languages.js";
import { authPlugin, type RouteScope } from "./auth/index.js";
import { defaultScope } from "./auth/guard.js";
import { defaultWebRoot, webPlugin, type WebServices } from "./web/index.js";
import { apiErrorHandler, sendError } from "./errors.js";
import { ErrorCode } from "../core/errors.js";
import type { HttpServices } from "./ports.js";
import { recordRoutes } from "./routes/records.js";
import { messageRoutes } from "./routes/messages.js";
import { queryRoutes } from "./routes/queries.js";
import { importRoutes } from "./routes/import.js";
import { reportRoutes } from "./routes/reports.js";
import { deskRoutes } from "./routes/desk.js";
import { suppressionRoutes } from "./routes/suppressions.js";
import { mqttCredentialRoutes } from "./routes/mqtt-credentials.js";
import { settingsRoutes } from "./routes/settings.js";
import { allowedHostSet, hostGuardHook } from "./allowed-hosts.js";
import { budgetOwner, RequestBudget, rateLimitHook } from "./rate-limit.js";
import { parseListen } from "../config/listen.js";
import { healthRoutes } from "./health.js";
import { modemRoutes } from "./routes/modems.js";
import { poolEntryRoutes } from "./routes/pool-entries.js";
import { dashboardRoutes } from "./routes/dashboard.js";
import { policyRoutes } from "./routes/policy.js";
import { logRoutes } from "./routes/logs.js";
import { metricsRoute, type MetricsSource } from "./metrics-route.js";
import { AnyObject, ERROR_RESPONSES } from "./schemas.js";

import { createAjv } from "../api/validate.js";

export type ServerServices = HttpServices & WebServices;

/** One route of the server: what it needs and which answers its schema describes ("200", "4xx"). */
export interface RouteEntry {
  method: string;
  url: string;
  scope: RouteScope;
  responses: string[];
}

declare module "fastify" {
  interface FastifyInstance {
    /** The routes registered so far (src/http/server.ts). */
    routeCatalog(): readonly RouteEntry[];
  }
}

export interface ServerOptions {
  auth: AuthService;
  /** Folder of the panel's files (tests). */
  webRoot?: string;
  /** Leave the web panel out (API-only tests). */
  web?: boolean;
  /** Serve HTTPS with this certificate and key (src/system/tls-certificate.ts); plain HTTP without. */
  https?: { cert: string; key: string };
  /** Serve GET /metrics from this source (src/metrics); absent in tests that do not need it. */
  metrics?: MetricsSource;
}

export async function buildServer(services: ServerServices, opts: ServerOptions): Promise<FastifyInstance> {
  const { http } = services.config;
  const root = Fastify({
    // At the service's level, so that the panel's audit lines (info) are written; fastify's own
    // per-request lines go out at debug (src/http/request-log.ts).
    loggerInstance: services.logger.child({ subsystem: "http" }),
    logController: new QuietRequestLog(),
    bodyLimit: http.bodyLimitBytes,
    return503OnClosing: true,
    ...(opts.https ? { https: { cert: opts.https.cert, key: opts.https.key, minVersion: "TLSv1.2" as const } } : {}),
  });
  root.setValidatorCompiler(validatorCompiler());
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const declared: Array<{ method: string | string[]; url: string; config?: { scope?: RouteScope }; schema?: unknown }> =
    [];
  // Every route as declared (fastify keeps no such list): read when asked, after every plugin's onRoute hook has run.
  root.addHook("onRoute", (route) => void declared.push(route));
  root.decorate("routeCatalog", () =>
    declared.flatMap((route) =>
      [route.method].flat().map((method) => ({
        method,
        url: route.url,
        scope: route.config?.scope ?? defaultScope(method, route.url),
        responses: Object.keys((route.schema as { response?: object } | undefined)?.response ?? {}),
      })),
    ),
  );

  // First of all hooks, before the body is read and before authentication: a request for a
  // foreign name, or over the client's budget, costs the appliance nothing more.
  app.addHook("onRequest", hostGuardHook(allowedHostSet(http.allowedHosts, undefined, listenHost(http.listen))));
  app.addHook(
    "onRequest",
    rateLimitHook(new RequestBudget(() => http.rateLimitPerMinute, services.clock), (request) =>
      budgetOwner(request, opts.auth),
    ),
  );

  await app.register(swagger, {
    openapi: {
      info: {
        title: "duegate API",
        version: services.version,
        description:
          "Accounts, invoices, payments, SMS and reports. The same payloads as the MQTT topics (docs/mqtt.md).",
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: "http",
            scheme: "bearer",
            description:
              "An API key (web panel, Settings, API keys) with scope read (GET), write (ledger and sends), policy (the dunning policy) or metrics (/metrics only).",
          },
        },
      },
      security: [{ apiKey: [] }],
    },
    // Only the API is documented; the panel's own routes are not a contract.
    transform: ({ schema, url }) => ({
      schema: url.startsWith("/api/v1/") && !url.startsWith("/api/v1/panel") ? schema : { ...schema, hide: true },
      url,
    }),
  });

  const webRoot = opts.webRoot ?? defaultWebRoot();
  const languages = opts.web === false ? [REFERENCE_LANGUAGE] : await loadPanelLanguages(join(webRoot, "app/i18n"));
  const codes = languages.map((l) => l.code);
  // Secure cookies and HSTS whenever this server speaks TLS, or a TLS proxy in front of it does.
  await app.register(authPlugin, {
    auth: opts.auth,
    secureCookies: opts.https !== undefined || http.secureCookies,
    clock: services.clock,
    languages,
  });
  if (opts.web !== false)
    await app.register(webPlugin, {
      services,
      webRoot,
      languageOf: (request) => {
        const chosen = request.principal?.kind === "user" ? opts.auth.languageOf(request.principal.name) : undefined;
        const code =
          chosen && codes.includes(chosen) ? chosen : negotiateLanguage(request.headers["accept-language"], codes);
        return languages.find((l) => l.code === code) ?? REFERENCE_LANGUAGE;
      },
    });

  await app.register(healthRoutes, { services });
  if (opts.metrics)
    await app.register(metricsRoute, { metrics: opts.metrics, access: () => services.config.http.metricsAccess });

  await app.register(
    async (api) => {
      api.setErrorHandler(apiErrorHandler);
      // One error envelope for every route: documented (and serialized) once here, unless a route names its own.
      api.addHook("onRoute", (route) => {
        const schema = (route.schema ??= {}) as { response?: Record<string, unknown> };
        schema.response = { ...ERROR_RESPONSES, ...schema.response };
      });
      api.setNotFoundHandler((request, reply) =>
        sendError(reply, 404, ErrorCode.NotFound, `no route ${request.method} ${request.url}`),
      );
      api.get(
        "/openapi.json",
        { config: { scope: "public" }, schema: { hide: true, response: { 200: AnyObject("the OpenAPI 3 document") } } },
        async () => app.swagger(),
      );
      await api.register(recordRoutes, { services });
      await api.register(messageRoutes, { services });
      await api.register(queryRoutes, { services });
      await api.register(reportRoutes, { services });
      await api.register(importRoutes, { services });
      await api.register(emailRoutes, { services });
      await api.register(deskRoutes, { services });
      await api.register(suppressionRoutes, { services });
      await api.register(mqttCredentialRoutes, { services });
      await api.register(modemRoutes, { services });
      await api.register(poolEntryRoutes, { services });
      await api.register(dashboardRoutes, { services });
      await api.register(settingsRoutes, { services });
      await api.register(policyRoutes, { services });
      await api.register(logRoutes, { services });
    },
    { prefix: "/api/v1" },
  );
  await app.register(swaggerUi, { routePrefix: "/api/v1/docs" });
  // The pino Logger type is wider than FastifyBaseLogger's generic slot; the instance is the same.
  return root as unknown as FastifyInstance;
}

/** The host part of http.listen, itself a name clients may use. */
function listenHost(listen: string): string | undefined {
  try {
    return parseListen(listen).host;
  } catch {
    return undefined;
  }
}

/**
 * fastify's compiler, built from the gateway's one validator module (src/api/validate.ts): a
 * JSON body is read as MQTT reads it, a query string or path as text. Fresh instances per
 * server, since fastify registers its route schemas in them.
 */
function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const text = createAjv("text");
  const json = createAjv("json");
  return ({ schema, httpPart }) => (httpPart === "body" ? json : text).compile(schema as object);
}
