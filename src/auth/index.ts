/**
 * Users, roles, API keys and the key that seals session cookies: the domain side of
 * logging in, free of HTTP (the fastify plugin in src/http/auth is the adapter).
 *
 * At first start an `admin` user is made. Its password comes from config http.adminPassword,
 * or is generated and printed once to the log: the only secret duegate ever logs.
 */
import { randomBytes } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { newId } from "../core/ids.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { excerpt } from "../core/excerpt.js";
import { decoyHash, generatePassword, hashPassword, verifyPassword } from "./password.js";
import { LoginThrottle, DEFAULT_THROTTLE, type ThrottleOptions } from "./throttle.js";
import { hashApiKey, newApiKey, KEY_PREFIX } from "./api-keys.js";
import { AUTH_FILE, authFile, type AuthStore, type AuthStoreOpener } from "./storage.js";
import type { DocumentStorage, StoreSource } from "../store/index.js";
import { SessionTable, SESSION_LIFETIME_MS } from "./sessions.js";
import {
  scopesOfRole,
  ROLES,
  SCOPES,
  type ApiKeyRecord,
  type ApiKeyView,
  type AuthData,
  type Principal,
  type Role,
  type Scope,
  type UserRecord,
  type UserView,
} from "./types.js";

export * from "./types.js";
export { memoryStoreOpener } from "./storage.js";
export { SESSION_LIFETIME_MS, MAX_SESSIONS_PER_USER } from "./sessions.js";

export const MIN_PASSWORD_LENGTH = 10;
const NAME = /^[A-Za-z0-9._-]{1,32}$/;
/** lastUsedAt of an API key is written at most this often: an SD card must not be rewritten per request. */
const KEY_USE_WRITE_INTERVAL_MS = 60 * 60_000;

export interface AuthServiceOptions extends StoreSource<DocumentStorage> {
  logger: Logger;
  clock: Clock;
  /** config http.adminPassword; empty or absent generates one at first start. */
  adminPassword?: string;
  throttle?: ThrottleOptions;
  /** Absolute lifetime of a panel session (default 12 h). */
  sessionLifetimeMs?: number;
  /** Tests pass memoryStoreOpener() (keyed by <dataDir>/auth.json); the service uses the store's auth.json. */
  openStore?: AuthStoreOpener;
}

export interface LoginResult {
  principal: Principal;
}

/** A session started at login: the id goes into the sealed cookie, the rest stays here. */
export interface StartedSession {
  id: string;
  expiresAt: number;
}

export class AuthService {
  private readonly throttle: LoginThrottle;
  private readonly sessions: SessionTable;

  private constructor(
    private readonly store: AuthStore<AuthData>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    throttle: ThrottleOptions,
    sessionLifetimeMs: number,
  ) {
    this.throttle = new LoginThrottle(clock, throttle);
    this.sessions = new SessionTable(
      () => (this.data.sessions ??= []),
      (next) => {
        this.data.sessions = next;
      },
      sessionLifetimeMs,
    );
  }

  static async open(opts: AuthServiceOptions): Promise<AuthService> {
    const logger = opts.logger.child({ mod: "auth" });
    const empty: AuthData = { version: 1, users: [], apiKeys: [], sessionKey: "", sessions: [] };
    // Changes here are rare (a user added, a key made): each is flushed at once anyway.
    const store = opts.openStore
      ? await opts.openStore<AuthData>(authFile(opts.dataDir ?? ""), empty)
      : await (
          await import("../store/index.js")
        )
          .storeOf(opts, opts.clock, logger)
          .document<AuthData>(AUTH_FILE, empty, { logger, coalesceMs: 1000 });
    const auth = new AuthService(
      store,
      opts.clock,
      logger,
      opts.throttle ?? DEFAULT_THROTTLE,
      opts.sessionLifetimeMs ?? SESSION_LIFETIME_MS,
    );
    await auth.firstStart(opts.adminPassword ?? "");
    return auth;
  }

  private get data(): AuthData {
    return this.store.data;
  }

  private async firstStart(adminPassword: string): Promise<void> {
    let changed = false;
    if (!this.data.sessionKey) {
      this.data.sessionKey = randomBytes(32).toString("base64");
      changed = true;
    }
    if (this.sessions.prune(this.clock.now())) changed = true;
    if (this.data.users.length === 0) {
      const generated = adminPassword === "";
      const password = generated ? generatePassword() : adminPassword;
      const now = this.clock.now();
      this.data.users.push({
        name: "admin",
        role: "admin",
        passwordHash: await hashPassword(password),
        createdAt: now,
        passwordChangedAt: now,
      });
      changed = true;
      if (generated) {
        // The one secret duegate logs, once: without it nobody could log in. `oneTimeSecret`
        // tells the panel's log page to leave this line out.
        this.logger.warn(
          { event: "auth.admin_created", oneTimeSecret: true },
          `created user "admin" with generated password ${password} (shown only now; change it in the web panel)`,
        );
      } else {
        this.logger.info(
          { event: "auth.admin_created" },
          'created user "admin" with the password from config http.adminPassword',
        );
        if (adminPassword.length < MIN_PASSWORD_LENGTH)
          this.logger.warn(
            `http.adminPassword is shorter than ${MIN_PASSWORD_LENGTH} characters: change it in the web panel`,
          );
      }
    }
    if (changed) await this.save();
  }

  /** The 32-byte key for @fastify/secure-session. */
  sessionKey(): Buffer {
    return Buffer.from(this.data.sessionKey, "base64");
  }

  /**
   * Checks a password. `from` is the client's address: failures are throttled per name and
   * address (src/auth/throttle.ts) and logged with it. Throws DuegateError Unauthorized (wrong
   * name or password, same message) or RateLimited.
   */
  async login(name: string, password: string, from = "local"): Promise<LoginResult> {
    const key = name.toLowerCase();
    const shownName = NAME.test(name) ? name : "(invalid name)";
    const wait = this.throttle.retryAfter(key, from);
    if (wait > 0) {
      this.logger.warn(
        { event: "auth.login_throttled", user: shownName, client: from },
        "login refused: too many failed attempts",
      );
      throw new DuegateError(
        ErrorCode.RateLimited,
        `too many failed logins: try again in ${Math.ceil(wait / 1000)} s`,
        { retryAfterMs: wait },
      );
    }
    const user = this.user(name);
    const ok = user
      ? await verifyPassword(password, user.passwordHash)
      : (await verifyPassword(password, await decoyHash()), false);
    if (!ok || !user) {
      this.throttle.fail(key, from);
      this.logger.warn({ event: "auth.login_failed", user: shownName, client: from }, "failed login");
      throw new DuegateError(ErrorCode.Unauthorized, "wrong user name or password", {});
    }
    this.throttle.succeed(key, from);
    this.logger.info({ event: "auth.login", user: user.name, client: from }, "login");
    return { principal: userPrincipal(user) };
  }

  /** Starts a server-side session for a user who has just proved who they are (saved before it returns). */
  async startSession(name: string): Promise<StartedSession> {
    const user = this.mustUser(name);
    const started = this.sessions.start(user.name, this.clock.now());
    await this.save();
    return started;
  }

  /** The principal of a live session, or undefined when it ended, expired or its user is gone. */
  sessionPrincipal(sessionId: string): Principal | undefined {
    const session = this.sessions.find(sessionId, this.clock.now());
    const user = session ? this.user(session.user) : undefined;
    return user ? userPrincipal(user) : undefined;
  }

  /** Logout: this session ends for every copy of its cookie. */
  async endSession(sessionId: string): Promise<void> {
    if (this.sessions.end(sessionId)) await this.save();
  }

  /** Live sessions of a user (the panel's "logged in on N devices"). */
  sessionCount(name: string): number {
    return this.sessions.countOf(name, this.clock.now());
  }

  /** The principal for an `Authorization: Bearer` key, or undefined. */
  authenticateKey(key: string): Principal | undefined {
    if (!key.startsWith(KEY_PREFIX)) return undefined;
    const hash = hashApiKey(key);
    const record = this.data.apiKeys.find((k) => k.hash === hash);
    if (!record) return undefined;
    const now = this.clock.now();
    if (!record.lastUsedAt || now - record.lastUsedAt > KEY_USE_WRITE_INTERVAL_MS) {
      record.lastUsedAt = now;
      this.store.markDirty();
    }
    return {
      kind: "apikey",
      name: record.name,
      role: record.scopes.includes("write") ? "admin" : "viewer",
      scopes: [...record.scopes],
    };
  }

  /** The panel language a user chose, or undefined when they never chose one. */
  languageOf(name: string): string | undefined {
    return this.user(name)?.language;
  }

  users(): UserView[] {
    return this.data.users.map(userView);
  }

  async createUser(name: string, role: Role, password: string): Promise<UserView> {
    checkName(name);
    checkRole(role);
    checkPassword(password);
    if (this.user(name))
      throw new DuegateError(ErrorCode.Validation, `user "${name}" exists already`, { field: "name" });
    const now = this.clock.now();
    const user: UserRecord = {
      name,
      role,
      passwordHash: await hashPassword(password),
      createdAt: now,
      passwordChangedAt: now,
    };
    this.data.users.push(user);
    await this.save();
    this.logger.info({ event: "auth.user_created", user: name, role }, "user created");
    return userView(user);
  }

  /**
   * `language` is the panel's language for this user (a code such as "de"); null forgets the
   * choice (the browser's language decides again). Which codes the panel has is the HTTP
   * layer's to check: the language files live with the panel (web/app/i18n).
   */
  async updateUser(
    name: string,
    change: { role?: Role; password?: string; language?: string | null },
  ): Promise<UserView> {
    const user = this.mustUser(name);
    if (change.language !== undefined) {
      if (change.language === null) delete user.language;
      else {
        checkLanguage(change.language);
        user.language = change.language;
      }
    }
    if (change.role !== undefined) {
      checkRole(change.role);
      if (user.role === "admin" && change.role !== "admin") this.keepOneAdmin(name);
      user.role = change.role;
    }
    if (change.password !== undefined) {
      checkPassword(change.password);
      user.passwordHash = await hashPassword(change.password);
      user.passwordChangedAt = this.clock.now();
      // Whoever knew the old password may hold a session: every one of them ends.
      this.sessions.endAllOf(user.name);
    }
    await this.save();
    this.logger.info(
      {
        event: "auth.user_changed",
        user: name,
        role: change.role,
        language: change.language,
        passwordChanged: change.password !== undefined,
      },
      "user changed",
    );
    return userView(user);
  }

  /** Ends every session of the user (logout everywhere). */
  async endSessions(name: string): Promise<void> {
    this.sessions.endAllOf(this.mustUser(name).name);
    await this.save();
  }

  async deleteUser(name: string): Promise<void> {
    const user = this.mustUser(name);
    if (user.role === "admin") this.keepOneAdmin(name);
    this.data.users = this.data.users.filter((u) => u !== user);
    this.sessions.endAllOf(user.name);
    await this.save();
    this.logger.info({ event: "auth.user_deleted", user: name }, "user deleted");
  }

  apiKeys(): ApiKeyView[] {
    return this.data.apiKeys.map(apiKeyView);
  }

  /** Makes a key; `key` is returned only here. API keys never get the admin scope: users and keys are managed by people. */
  async createApiKey(name: string, scopes: Scope[]): Promise<{ key: string; apiKey: ApiKeyView }> {
    if (!/^.{1,64}$/u.test(name) || !name.trim())
      throw new DuegateError(ErrorCode.Validation, "an API key needs a name of 1 to 64 characters", { field: "name" });
    const unknown = scopes.filter((s) => !SCOPES.includes(s) || s === "admin");
    if (unknown.length > 0 || scopes.length === 0)
      throw new DuegateError(
        ErrorCode.Validation,
        `scopes must be some of "read", "write", "policy" and "metrics", got ${excerpt(JSON.stringify(scopes))}`,
        { field: "scopes" },
      );
    const made = newApiKey();
    const want = new Set<Scope>(scopes);
    // Changing data or the policy means seeing it; a metrics key sees nothing else.
    if (want.has("write") || want.has("policy")) want.add("read");
    const record: ApiKeyRecord = {
      id: newId("key"),
      name: name.trim(),
      prefix: made.prefix,
      hash: made.hash,
      scopes: SCOPES.filter((s) => want.has(s)),
      createdAt: this.clock.now(),
    };
    this.data.apiKeys.push(record);
    await this.save();
    this.logger.info({ event: "auth.apikey_created", id: record.id, scopes: record.scopes }, "API key created");
    return { key: made.key, apiKey: apiKeyView(record) };
  }

  async revokeApiKey(id: string): Promise<void> {
    const before = this.data.apiKeys.length;
    this.data.apiKeys = this.data.apiKeys.filter((k) => k.id !== id);
    if (this.data.apiKeys.length === before)
      throw new DuegateError(ErrorCode.NotFound, `no API key with id ${id}`, { id });
    await this.save();
    this.logger.info({ event: "auth.apikey_revoked", id }, "API key revoked");
  }

  async close(): Promise<void> {
    await this.store.close();
  }

  private user(name: string): UserRecord | undefined {
    const lower = name.toLowerCase();
    return this.data.users.find((u) => u.name.toLowerCase() === lower);
  }

  private mustUser(name: string): UserRecord {
    const user = this.user(name);
    if (!user) throw new DuegateError(ErrorCode.NotFound, `no user "${name}"`, { user: name });
    return user;
  }

  private keepOneAdmin(name: string): void {
    const others = this.data.users.filter((u) => u.role === "admin" && u.name.toLowerCase() !== name.toLowerCase());
    if (others.length === 0)
      throw new DuegateError(ErrorCode.Validation, "the last admin cannot be removed or demoted", { user: name });
  }

  private async save(): Promise<void> {
    this.store.markDirty();
    await this.store.flush();
  }
}

function userPrincipal(user: UserRecord): Principal {
  return { kind: "user", name: user.name, role: user.role, scopes: scopesOfRole(user.role) };
}

function userView(u: UserRecord): UserView {
  return {
    name: u.name,
    role: u.role,
    createdAt: u.createdAt,
    passwordChangedAt: u.passwordChangedAt,
    ...(u.language ? { language: u.language } : {}),
  };
}

function apiKeyView(k: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = k;
  return view;
}

function checkName(name: string): void {
  if (!NAME.test(name))
    throw new DuegateError(
      ErrorCode.Validation,
      "a user name is 1 to 32 letters, digits, dots, dashes or underscores",
      { field: "name" },
    );
}

function checkRole(role: string): void {
  if (!(ROLES as readonly string[]).includes(role))
    throw new DuegateError(
      ErrorCode.Validation,
      `role must be one of ${ROLES.map((r) => `"${r}"`).join(", ")}, got "${role}"`,
      { field: "role" },
    );
}

const LANGUAGE = /^[a-z]{2,3}(-[A-Z]{2})?$/;

function checkLanguage(language: string): void {
  if (!LANGUAGE.test(language))
    throw new DuegateError(
      ErrorCode.Validation,
      `a language is a code such as "en", "de" or "pt-BR", got ${excerpt(JSON.stringify(language))}`,
      { field: "language" },
    );
}

function checkPassword(password: string): void {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH || password.length > 256)
    throw new DuegateError(ErrorCode.Validation, `a password needs ${MIN_PASSWORD_LENGTH} to 256 characters`, {
      field: "password",
    });
}
