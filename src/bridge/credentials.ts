/**
 * The embedded broker's users. Nobody connects without a name and a password (anonymous
 * clients only from loopback, and only when mqtt.embedded.allowAnonymousLoopback says so):
 *   - the accounting server: mqtt.embedded.username/password from the configuration when set,
 *     else user "accounting" with a password generated at first start. Only its scrypt hash is
 *     kept (<dataDir>/mqtt/users.json, 0600 in a 0700 directory); the password is shown once in
 *     the log and again only when an admin rotates it (web panel, POST /api/v1/mqtt/credentials/rotate).
 *   - the gateway's own client: a random password made at every start and held in memory only,
 *     so there is nothing on disk to steal for it;
 *   - read-only users listed in mqtt.embedded.readers (password in clear or as a scrypt hash).
 */
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { generatePassword, hashPassword, verifyPassword } from "../auth/password.js";
import type { BrokerRole } from "./acl.js";

export const GATEWAY_USER = "duegate-gateway";
export const ACCOUNTING_USER = "accounting";

/** What is kept on disk. */
export interface StoredBrokerUsers {
  version: 1;
  accounting: { username: string; passwordHash: string; createdAt: number; rotatedAt?: number };
}

/** The file behind it (src/store/secret-file.ts SecretFile satisfies this). */
export interface BrokerUsersFile {
  read(): StoredBrokerUsers | undefined;
  write(data: StoredBrokerUsers): Promise<void>;
}

export interface BrokerUsersConfig {
  username: string;
  password: string;
  readers: ReadonlyArray<{ username: string; password: string }>;
}

/** What the panel shows: never a password or its hash. */
export interface AccountingCredentialView {
  username: string;
  /** configured: from mqtt.embedded.username/password (change it there); generated: rotatable here. */
  source: "configured" | "generated";
  createdAt?: number;
  rotatedAt?: number;
  readers: string[];
}

export class BrokerUsers {
  /** The gateway's own login, new at every start, never written anywhere. */
  readonly gatewayLogin = { username: GATEWAY_USER, password: randomBytes(24).toString("base64url") };
  private readonly rotateListeners: Array<(username: string) => void> = [];

  private constructor(
    private readonly file: BrokerUsersFile,
    private readonly config: BrokerUsersConfig,
    private readonly clock: Clock,
    private stored: StoredBrokerUsers | undefined,
  ) {}

  /** Reads the users; on the first start generates the accounting password and logs it once. */
  static async open(opts: {
    file: BrokerUsersFile;
    config: BrokerUsersConfig;
    clock: Clock;
    logger: Logger;
    where: string;
  }): Promise<BrokerUsers> {
    const { config } = opts;
    const names = [configuredName(config), GATEWAY_USER, ...config.readers.map((r) => r.username)].filter(Boolean);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice)
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `mqtt.embedded: the user name "${twice}" is given twice (the gateway's own user is "${GATEWAY_USER}")`,
        { key: "mqtt.embedded.readers" },
      );
    for (const [i, r] of config.readers.entries())
      if (!r.username || !r.password)
        throw new DuegateError(ErrorCode.ConfigInvalid, `mqtt.embedded.readers[${i}] needs a username and a password`, {
          key: `mqtt.embedded.readers[${i}]`,
        });
    let stored = opts.file.read();
    if (!configuredName(config) && !stored) {
      const password = generatePassword();
      stored = {
        version: 1,
        accounting: {
          username: ACCOUNTING_USER,
          passwordHash: await hashPassword(password),
          createdAt: opts.clock.now(),
        },
      };
      await opts.file.write(stored);
      // The one time this password is shown (like the admin's, src/auth/index.ts): `oneTimeSecret`
      // keeps it off the panel's log page. Only its hash is kept.
      opts.logger.warn(
        { event: "mqtt.credentials_created", oneTimeSecret: true, file: opts.where },
        `created MQTT user "${ACCOUNTING_USER}" for the accounting server with password ${password} (shown only now; ` +
          "an admin can set a new one in the web panel, Settings, MQTT broker, or with POST /api/v1/mqtt/credentials/rotate)",
      );
    }
    return new BrokerUsers(opts.file, config, opts.clock, stored);
  }

  /** The role of a user whose password matches; undefined otherwise. */
  async verify(username: string | undefined, password: Buffer | undefined): Promise<BrokerRole | undefined> {
    if (username === undefined || password === undefined) return undefined;
    const given = password.toString("utf8");
    if (username === GATEWAY_USER) return sameText(given, this.gatewayLogin.password) ? "gateway" : undefined;
    const configured = configuredName(this.config);
    if (configured) {
      if (username === configured) return sameText(given, this.config.password) ? "accounting" : undefined;
    } else if (this.stored && username === this.stored.accounting.username) {
      return (await verifyPassword(given, this.stored.accounting.passwordHash)) ? "accounting" : undefined;
    }
    const reader = this.config.readers.find((r) => r.username === username);
    if (reader) {
      const ok = reader.password.startsWith("scrypt$")
        ? await verifyPassword(given, reader.password)
        : sameText(given, reader.password);
      return ok ? "reader" : undefined;
    }
    return undefined;
  }

  view(): AccountingCredentialView {
    const readers = this.config.readers.map((r) => r.username);
    const configured = configuredName(this.config);
    if (configured) return { username: configured, source: "configured", readers };
    const a = this.stored!.accounting;
    return {
      username: a.username,
      source: "generated",
      createdAt: a.createdAt,
      ...(a.rotatedAt !== undefined ? { rotatedAt: a.rotatedAt } : {}),
      readers,
    };
  }

  /** A new accounting password, returned once; clients still connected with the old one are disconnected. */
  async rotate(): Promise<{ username: string; password: string }> {
    if (configuredName(this.config) || !this.stored)
      throw new DuegateError(
        ErrorCode.Validation,
        "the accounting server's MQTT password comes from the configuration (mqtt.embedded.password): change it there",
        { field: "mqtt.embedded.password" },
      );
    const password = generatePassword();
    const now = this.clock.now();
    const next: StoredBrokerUsers = {
      version: 1,
      accounting: { ...this.stored.accounting, passwordHash: await hashPassword(password), rotatedAt: now },
    };
    await this.file.write(next);
    this.stored = next;
    for (const fn of this.rotateListeners) fn(next.accounting.username);
    return { username: next.accounting.username, password };
  }

  /** Returns the function that removes the listener (a broker that stops). */
  onRotate(fn: (username: string) => void): () => void {
    this.rotateListeners.push(fn);
    return () => {
      const i = this.rotateListeners.indexOf(fn);
      if (i >= 0) this.rotateListeners.splice(i, 1);
    };
  }
}

/** mqtt.embedded.username, or "accounting" when only a password is configured; "" when neither. */
function configuredName(c: BrokerUsersConfig): string {
  return c.username || (c.password ? ACCOUNTING_USER : "");
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
