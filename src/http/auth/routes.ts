/**
 * Login, logout, who am I, and (admin only) users and API keys. Encapsulated with its own
 * error handler so that these replies keep the {error:{code,message}} shape whatever the
 * rest of the server does.
 */
import type { FastifyPluginAsync } from "fastify";
import { Type, type Static } from "@sinclair/typebox";
import type { AuthService } from "../../auth/index.js";
import type { Clock } from "../../core/clock.js";
import { DuegateError, ErrorCode, jsonErrorHandler } from "./errors.js";
import { readSession, writeSession } from "./session.js";
import { negotiateLanguage, type PanelLanguage } from "../panel-languages.js";

const Login = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 64 }), password: Type.String({ minLength: 1, maxLength: 256 }) },
  { additionalProperties: false },
);
const Role = Type.Union([Type.Literal("admin"), Type.Literal("clerk"), Type.Literal("viewer")]);
const NewUser = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: 32 }), role: Role, password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
/** A panel language code (web/app/i18n/<code>.js), or null to forget the choice. */
const Language = Type.Union([Type.String({ minLength: 2, maxLength: 16 }), Type.Null()]);
const UserChange = Type.Object(
  {
    role: Type.Optional(Role),
    password: Type.Optional(Type.String({ maxLength: 256 })),
    language: Type.Optional(Language),
  },
  { additionalProperties: false },
);
const OwnLanguage = Type.Object({ language: Language }, { additionalProperties: false });
const OwnPassword = Type.Object(
  { current: Type.String({ maxLength: 256 }), password: Type.String({ maxLength: 256 }) },
  { additionalProperties: false },
);
const NewKey = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 64 }),
    // Never "admin": users and keys are managed by people (AuthService.createApiKey).
    scopes: Type.Array(
      Type.Union([Type.Literal("read"), Type.Literal("write"), Type.Literal("policy"), Type.Literal("metrics")]),
      { minItems: 1, maxItems: 4, uniqueItems: true },
    ),
  },
  { additionalProperties: false },
);
const NameParam = Type.Object({ name: Type.String({ maxLength: 64 }) });
// Answers: the user and key views of src/auth/types.ts, never a hash; open for fields added there.
const Scopes = Type.Array(Type.String(), { description: "read, desk, write, policy, metrics, admin" });
const Principal = Type.Object(
  { kind: Type.String({ description: "user or apikey" }), name: Type.String(), role: Type.String(), scopes: Scopes },
  { additionalProperties: true },
);
const UserView = Type.Object(
  { name: Type.String(), role: Type.String(), createdAt: Type.Integer(), passwordChangedAt: Type.Integer() },
  { additionalProperties: true },
);
const ApiKeyView = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    prefix: Type.String({ description: "the key's first characters, to tell keys apart" }),
    scopes: Scopes,
    createdAt: Type.Integer(),
    lastUsedAt: Type.Optional(Type.Integer()),
  },
  { additionalProperties: true },
);
const WithCsrf = { csrfToken: Type.String({ description: "send it as x-csrf-token on every unsafe request" }) };
const Nothing = Type.Null({ description: "no content" });
const IdParam = Type.Object({ id: Type.String({ maxLength: 64 }) });

export interface AuthRoutesOptions {
  auth: AuthService;
  clock: Clock;
  loginPerMinute: number;
  /** The languages the panel has (src/http/panel-languages.ts); a user's choice must be one of them. */
  languages: readonly PanelLanguage[];
}

export const authRoutes: FastifyPluginAsync<AuthRoutesOptions> = async (
  app,
  { auth, clock, loginPerMinute, languages },
) => {
  app.setErrorHandler(jsonErrorHandler);
  const codes = languages.map((l) => l.code);
  const checkLanguage = (language: string | null | undefined): void => {
    if (typeof language === "string" && !codes.includes(language))
      throw new DuegateError(
        ErrorCode.Validation,
        `the panel has no language ${JSON.stringify(language)}; it has ${codes.map((c) => `"${c}"`).join(", ")}`,
        { field: "language" },
      );
  };

  app.post<{ Body: Static<typeof Login> }>(
    "/api/v1/login",
    {
      schema: { body: Login, response: { 200: Type.Object({ principal: Principal, ...WithCsrf }) } },
      config: {
        scope: "public",
        rateLimit: {
          max: loginPerMinute,
          timeWindow: 60_000,
          errorResponseBuilder: (_req, ctx) =>
            new DuegateError(
              ErrorCode.RateLimited,
              `too many login attempts from this address: try again in ${ctx.after}`,
              { retryAfterMs: ctx.ttl },
            ),
        },
      },
    },
    async (request) => {
      const { principal } = await auth.login(request.body.name, request.body.password, request.ip);
      const session = await auth.startSession(principal.name);
      const csrfToken = writeSession(request, { sid: session.id, issuedAt: clock.now() });
      return { principal, csrfToken };
    },
  );

  app.post(
    "/api/v1/logout",
    { config: { scope: "read" }, schema: { response: { 204: Nothing } } },
    async (request, reply) => {
      // Ended on the server: a copy of the cookie (another tab, a stolen one) is refused from now on.
      const session = readSession(request);
      if (session) await auth.endSession(session.sid);
      request.session.delete();
      return reply.code(204).send();
    },
  );

  const Me = Type.Object({
    principal: Principal,
    csrfToken: Type.Union([Type.String(), Type.Null()], { description: "null for an API key" }),
    sessionIssuedAt: Type.Union([Type.Integer(), Type.Null()]),
    language: Type.String({ description: "the panel language in force: the user's choice, else the browser's" }),
    languageChosen: Type.Boolean({ description: "whether the user chose it" }),
    languages: Type.Array(Type.Object({}, { additionalProperties: true }), {
      description: "the panel's languages (code, name, locale)",
    }),
  });
  app.get("/api/v1/me", { config: { scope: "read" }, schema: { response: { 200: Me } } }, async (request) => {
    const p = request.principal;
    const session = p?.kind === "user" ? readSession(request) : undefined;
    // The user's own choice; for one who never chose, the browser's Accept-Language.
    const chosen = p?.kind === "user" ? auth.languageOf(p.name) : undefined;
    const language =
      chosen && codes.includes(chosen) ? chosen : negotiateLanguage(request.headers["accept-language"], codes);
    return {
      principal: p,
      csrfToken: session?.csrf ?? null,
      sessionIssuedAt: session?.issuedAt ?? null,
      language,
      languageChosen: chosen !== undefined && codes.includes(chosen),
      languages,
    };
  });

  app.put<{ Body: Static<typeof OwnLanguage> }>(
    "/api/v1/me/language",
    {
      schema: {
        body: OwnLanguage,
        response: { 200: Type.Object({ language: Type.Union([Type.String(), Type.Null()]) }) },
      },
      config: { scope: "read" },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind !== "user")
        throw new DuegateError(ErrorCode.Forbidden, "only a logged-in user has a panel language", {});
      checkLanguage(request.body.language);
      const user = await auth.updateUser(p.name, { language: request.body.language });
      return { language: user.language ?? null };
    },
  );

  app.post<{ Body: Static<typeof OwnPassword> }>(
    "/api/v1/me/password",
    {
      schema: { body: OwnPassword, response: { 200: Type.Object({ user: UserView, ...WithCsrf }) } },
      config: { scope: "read" },
    },
    async (request) => {
      const p = request.principal;
      if (p?.kind !== "user")
        throw new DuegateError(ErrorCode.Forbidden, "only a logged-in user can change a password", {});
      await auth.login(p.name, request.body.current, request.ip);
      const user = await auth.updateUser(p.name, { password: request.body.password });
      // The password change ended every session of this user, this one included: start a new one.
      const session = await auth.startSession(p.name);
      const csrfToken = writeSession(request, { sid: session.id, issuedAt: clock.now() });
      return { user, csrfToken };
    },
  );

  app.get(
    "/api/v1/users",
    { config: { scope: "admin" }, schema: { response: { 200: Type.Object({ items: Type.Array(UserView) }) } } },
    async () => ({ items: auth.users() }),
  );

  app.post<{ Body: Static<typeof NewUser> }>(
    "/api/v1/users",
    { schema: { body: NewUser, response: { 201: UserView } }, config: { scope: "admin" } },
    async (request, reply) => {
      const user = await auth.createUser(request.body.name, request.body.role, request.body.password);
      return reply.code(201).send(user);
    },
  );

  app.patch<{ Params: Static<typeof NameParam>; Body: Static<typeof UserChange> }>(
    "/api/v1/users/:name",
    { schema: { params: NameParam, body: UserChange, response: { 200: UserView } }, config: { scope: "admin" } },
    async (request) => {
      checkLanguage(request.body.language);
      return auth.updateUser(request.params.name, request.body);
    },
  );

  app.delete<{ Params: Static<typeof NameParam> }>(
    "/api/v1/users/:name",
    { schema: { params: NameParam, response: { 204: Nothing } }, config: { scope: "admin" } },
    async (request, reply) => {
      if (request.principal?.name.toLowerCase() === request.params.name.toLowerCase())
        throw new DuegateError(ErrorCode.Validation, "you cannot delete the user you are logged in as", {
          field: "name",
        });
      await auth.deleteUser(request.params.name);
      return reply.code(204).send();
    },
  );

  app.get(
    "/api/v1/api-keys",
    { config: { scope: "admin" }, schema: { response: { 200: Type.Object({ items: Type.Array(ApiKeyView) }) } } },
    async () => ({ items: auth.apiKeys() }),
  );

  app.post<{ Body: Static<typeof NewKey> }>(
    "/api/v1/api-keys",
    {
      schema: {
        body: NewKey,
        response: {
          201: Type.Object({
            key: Type.String({ description: "the key itself, shown this once and never stored" }),
            apiKey: ApiKeyView,
          }),
        },
      },
      config: { scope: "admin" },
    },
    async (request, reply) => {
      const made = await auth.createApiKey(request.body.name, request.body.scopes);
      return reply.code(201).send(made);
    },
  );

  app.delete<{ Params: Static<typeof IdParam> }>(
    "/api/v1/api-keys/:id",
    { schema: { params: IdParam, response: { 204: Nothing } }, config: { scope: "admin" } },
    async (request, reply) => {
      await auth.revokeApiKey(request.params.id);
      return reply.code(204).send();
    },
  );
};
