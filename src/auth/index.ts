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
import { maskText } from "../core/mask.js";
import { newId } from "../core/ids.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { decoyHash, hashPassword, verifyPassword } from "./password.js";
import { LoginThrottle, DEFAULT_THROTTLE, type ThrottleOptions } from "./throttle.js";
import { hashApiKey, newApiKey, KEY_PREFIX } from "./api-keys.js";
import { authFile, jsonStoreOpener, type AuthStore, type AuthStoreOpener } from "./storage.js";
import { scopesOfRole, ROLES, SCOPES, type ApiKeyRecord, type ApiKeyView, type AuthData, type Principal, type Role, type Scope, type UserRecord, type UserView } from "./types.js";

export * from "./types.js";
export { memoryStoreOpener } from "./storage.js";

export const MIN_PASSWORD_LENGTH = 10;
const NAME = /^[A-Za-z0-9._-]{1,32}$/;
/** lastUsedAt of an API key is written at most this often: an SD card must not be rewritten per request. */
const KEY_USE_WRITE_INTERVAL_MS = 60 * 60_000;

export interface AuthServiceOptions {
  dataDir: string;
  logger: Logger;
  clock: Clock;
  /** config http.adminPassword; empty or absent generates one at first start. */
  adminPassword?: string;
  throttle?: ThrottleOptions;
  /** Tests pass memoryStoreOpener(); the service uses src/store's JsonStore. */
  openStore?: AuthStoreOpener;
}

export interface LoginResult {
  principal: Principal;
  /** Put in the session; a later password change bumps the user's epoch and ends the session. */
  sessionEpoch: number;
}

export class AuthService {
  private readonly throttle: LoginThrottle;

  private constructor(
    private readonly store: AuthStore<AuthData>,
    private readonly clock: Clock,
    private readonly logger: Logger,
    throttle: ThrottleOptions,
  ) {
    this.throttle = new LoginThrottle(clock, throttle);
  }

  static async open(opts: AuthServiceOptions): Promise<AuthService> {
    const logger = opts.logger.child({ mod: "auth" });
    const open = opts.openStore ?? jsonStoreOpener(logger);
    const store = await open<AuthData>(authFile(opts.dataDir), { version: 1, users: [], apiKeys: [], sessionKey: "" });
    const auth = new AuthService(store, opts.clock, logger, opts.throttle ?? DEFAULT_THROTTLE);
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
    if (this.data.users.length === 0) {
      const generated = adminPassword === "";
      const password = generated ? generatePassword() : adminPassword;
      const now = this.clock.now();
      this.data.users.push({ name: "admin", role: "admin", passwordHash: await hashPassword(password), createdAt: now, passwordChangedAt: now, sessionEpoch: 1 });
      changed = true;
      if (generated) {
        // The one secret duegate logs, once: without it nobody could log in. `oneTimeSecret`
        // tells the panel's log page to leave this line out.
        this.logger.warn({ event: "auth.admin_created", oneTimeSecret: true }, `created user "admin" with generated password ${password} (shown only now; change it in the web panel)`);
      } else {
        this.logger.info({ event: "auth.admin_created" }, 'created user "admin" with the password from config http.adminPassword');
        if (adminPassword.length < MIN_PASSWORD_LENGTH) this.logger.warn(`http.adminPassword is shorter than ${MIN_PASSWORD_LENGTH} characters: change it in the web panel`);
      }
    }
    if (changed) await this.save();
  }

  /** The 32-byte key for @fastify/secure-session. */
  sessionKey(): Buffer {
    return Buffer.from(this.data.sessionKey, "base64");
  }

  /** Checks a password. Throws DuegateError Unauthorized (wrong name or password, same message) or RateLimited. */
  async login(name: string, password: string): Promise<LoginResult> {
    const key = name.toLowerCase();
    const wait = this.throttle.retryAfter(key);
    if (wait > 0) throw new DuegateError(ErrorCode.RateLimited, `too many failed logins for this user: try again in ${Math.ceil(wait / 1000)} s`, { retryAfterMs: wait });
    const user = this.user(name);
    const ok = user ? await verifyPassword(password, user.passwordHash) : (await verifyPassword(password, await decoyHash()), false);
    if (!ok || !user) {
      this.throttle.fail(key);
      this.logger.warn({ event: "auth.login_failed", user: NAME.test(name) ? name : "(invalid name)" }, "failed login");
      throw new DuegateError(ErrorCode.Unauthorized, "wrong user name or password", {});
    }
    this.throttle.succeed(key);
    this.logger.info({ event: "auth.login", user: user.name }, "login");
    return { principal: userPrincipal(user), sessionEpoch: user.sessionEpoch };
  }

  /** The principal for a session cookie, or undefined when the user is gone or the session was ended. */
  sessionPrincipal(name: string, sessionEpoch: number): Principal | undefined {
    const user = this.user(name);
    return user && user.sessionEpoch === sessionEpoch ? userPrincipal(user) : undefined;
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
    return { kind: "apikey", name: record.name, role: record.scopes.includes("write") ? "admin" : "viewer", scopes: [...record.scopes] };
  }

  users(): UserView[] {
    return this.data.users.map(userView);
  }

  async createUser(name: string, role: Role, password: string): Promise<UserView> {
    checkName(name);
    checkRole(role);
    checkPassword(password);
    if (this.user(name)) throw new DuegateError(ErrorCode.Validation, `user "${name}" exists already`, { field: "name" });
    const now = this.clock.now();
    const user: UserRecord = { name, role, passwordHash: await hashPassword(password), createdAt: now, passwordChangedAt: now, sessionEpoch: 1 };
    this.data.users.push(user);
    await this.save();
    this.logger.info({ event: "auth.user_created", user: name, role }, "user created");
    return userView(user);
  }

  async updateUser(name: string, change: { role?: Role; password?: string }): Promise<UserView> {
    const user = this.mustUser(name);
    if (change.role !== undefined) {
      checkRole(change.role);
      if (user.role === "admin" && change.role !== "admin") this.keepOneAdmin(name);
      user.role = change.role;
    }
    if (change.password !== undefined) {
      checkPassword(change.password);
      user.passwordHash = await hashPassword(change.password);
      user.passwordChangedAt = this.clock.now();
      user.sessionEpoch++;
    }
    await this.save();
    this.logger.info({ event: "auth.user_changed", user: name, role: change.role, passwordChanged: change.password !== undefined }, "user changed");
    return userView(user);
  }

  /** The current session epoch of a user (a new session after a password change). */
  sessionEpochOf(name: string): number {
    return this.mustUser(name).sessionEpoch;
  }

  /** Ends every session of the user (logout everywhere). */
  async endSessions(name: string): Promise<void> {
    this.mustUser(name).sessionEpoch++;
    await this.save();
  }

  async deleteUser(name: string): Promise<void> {
    const user = this.mustUser(name);
    if (user.role === "admin") this.keepOneAdmin(name);
    this.data.users = this.data.users.filter((u) => u !== user);
    await this.save();
    this.logger.info({ event: "auth.user_deleted", user: name }, "user deleted");
  }

  apiKeys(): ApiKeyView[] {
    return this.data.apiKeys.map(apiKeyView);
  }

  /** Makes a key; `key` is returned only here. API keys never get the admin scope: users and keys are managed by people. */
  async createApiKey(name: string, scopes: Scope[]): Promise<{ key: string; apiKey: ApiKeyView }> {
    if (!/^.{1,64}$/u.test(name) || !name.trim()) throw new DuegateError(ErrorCode.Validation, "an API key needs a name of 1 to 64 characters", { field: "name" });
    const unknown = scopes.filter((s) => !SCOPES.includes(s) || s === "admin");
    if (unknown.length > 0 || scopes.length === 0) throw new DuegateError(ErrorCode.Validation, `scopes must be "read" and/or "write", got ${JSON.stringify(scopes)}`, { field: "scopes" });
    const made = newApiKey();
    const want = new Set<Scope>(scopes);
    if (want.has("write")) want.add("read");
    const record: ApiKeyRecord = { id: newId("key"), name: name.trim(), prefix: made.prefix, hash: made.hash, scopes: SCOPES.filter((s) => want.has(s)), createdAt: this.clock.now() };
    this.data.apiKeys.push(record);
    await this.save();
    this.logger.info({ event: "auth.apikey_created", id: record.id, scopes: record.scopes }, "API key created");
    return { key: made.key, apiKey: apiKeyView(record) };
  }

  async revokeApiKey(id: string): Promise<void> {
    const before = this.data.apiKeys.length;
    this.data.apiKeys = this.data.apiKeys.filter((k) => k.id !== id);
    if (this.data.apiKeys.length === before) throw new DuegateError(ErrorCode.NotFound, `no API key with id ${id}`, { id });
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
    if (others.length === 0) throw new DuegateError(ErrorCode.Validation, "the last admin cannot be removed or demoted", { user: name });
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
  return { name: u.name, role: u.role, createdAt: u.createdAt, passwordChangedAt: u.passwordChangedAt };
}

function apiKeyView(k: ApiKeyRecord): ApiKeyView {
  const { hash: _hash, ...view } = k;
  return view;
}

function checkName(name: string): void {
  if (!NAME.test(name)) throw new DuegateError(ErrorCode.Validation, "a user name is 1 to 32 letters, digits, dots, dashes or underscores", { field: "name" });
}

function checkRole(role: string): void {
  if (!(ROLES as readonly string[]).includes(role)) throw new DuegateError(ErrorCode.Validation, `role must be one of ${ROLES.map((r) => `"${r}"`).join(", ")}, got "${role}"`, { field: "role" });
}

function checkPassword(password: string): void {
  if (typeof password !== "string" || password.length < MIN_PASSWORD_LENGTH || password.length > 256)
    throw new DuegateError(ErrorCode.Validation, `a password needs ${MIN_PASSWORD_LENGTH} to 256 characters`, { field: "password" });
}

/** Four groups of five, easy to type from a console; never mistaken for a phone number by the log masking. */
function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  for (;;) {
    const bytes = randomBytes(20);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
    const password = chars.match(/.{5}/g)!.join("-");
    if (maskText(password) === password) return password;
  }
}
