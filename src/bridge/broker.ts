/**
 * The embedded broker (aedes) for a company without one: the accounting server connects
 * straight to the appliance, and the gateway is a client of it exactly as of an external
 * broker. Its session store is in memory and lives as long as the process; after a restart
 * the bridge holds events until a client subscribes again (onSubscribe): see docs/mqtt.md,
 * "Embedded broker".
 *
 * Safe by default (docs/security.md, "MQTT broker"): every client logs in (BrokerUsers), every
 * publish and subscription is checked against its role (TopicAcl), the gateway's client id is
 * the gateway's alone, wrong passwords lock the address out for a while, packets are bounded
 * in size, the plain listener is on loopback and the LAN comes in over TLS.
 */
import { createServer, type Server, type Socket } from "node:net";
import { createServer as createTlsServer } from "node:tls";
import { Aedes, type AuthenticateError, type Client } from "aedes";
import persistenceModule from "aedes-persistence";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { LoginThrottle } from "../auth/throttle.js";
import type { BrokerRole, TopicAcl } from "./acl.js";
import { GATEWAY_USER } from "./credentials.js";
import { isLoopbackAddress } from "./exposure.js";
import { limitPacketSize } from "./packet-guard.js";

// aedes-persistence is CommonJS (module.exports = factory); its .d.ts declares an ES default,
// so under NodeNext the callable is the module itself. aedes imports it the same way.
const memoryPersistence = persistenceModule as unknown as () => object;

/** Who a user is (src/bridge/credentials.ts BrokerUsers). */
export interface BrokerUserCheck {
  verify(username: string | undefined, password: Buffer | undefined): Promise<BrokerRole | undefined>;
  onRotate(fn: (username: string) => void): () => void;
}

export interface EmbeddedBrokerOptions {
  /** The plain listener (loopback unless configured otherwise). */
  host: string;
  port: number;
  /** The mqtts listener; absent: none. */
  tls?: { host: string; port: number; cert: string; key: string };
  users: BrokerUserCheck;
  acl: TopicAcl;
  /** Only the gateway's own user may connect with this client id. */
  gatewayClientId: string;
  allowAnonymousLoopback: boolean;
  maxPacketBytes: number;
  authFailuresBeforeLock: number;
  clock: Clock;
  logger: Logger;
}

/** CONNACK return codes (MQTT 3.1.1 section 3.2.2.3). */
const IDENTIFIER_REJECTED = 2;
const BAD_USER_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;

export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  // Kept across stop/start: sessions and queued QoS 1 messages survive a broker restart.
  private readonly persistence = memoryPersistence();
  private boundPort = 0;
  private boundTlsPort = 0;
  private readonly subscribeListeners: Array<(clientId: string, filters: string[]) => void> = [];
  private readonly roles = new WeakMap<Client, { role: BrokerRole; username: string }>();
  private readonly throttle: LoginThrottle;
  private stopRotateListener: () => void = () => undefined;

  constructor(private readonly opts: EmbeddedBrokerOptions) {
    this.throttle = new LoginThrottle(opts.clock, {
      freeAttempts: opts.authFailuresBeforeLock,
      freeAttemptsPerAddress: opts.authFailuresBeforeLock,
      baseLockMs: 30_000,
      maxLockMs: 15 * 60_000,
      forgetAfterMs: 60 * 60_000,
      maxEntries: 10_000,
      perAddressOnly: true,
    });
  }

  /** Called for every SUBSCRIBE (a session restored on reconnect resubscribes too). */
  onSubscribe(fn: (clientId: string, filters: string[]) => void): void {
    this.subscribeListeners.push(fn);
  }

  get port(): number {
    return this.boundPort;
  }

  /** The mqtts port (0 when TLS is off). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  async start(): Promise<number> {
    const { logger, acl } = this.opts;
    this.stopRotateListener = this.opts.users.onRotate((username) => this.disconnectUser(username));
    const aedes = await Aedes.createBroker({
      persistence: this.persistence,
      authenticate: (client, username, password, done) => {
        this.authenticate(client, username, password).then(
          (refusal) => {
            if (!refusal) return done(null, true);
            const err = new Error(refusal.reason) as AuthenticateError;
            err.returnCode = refusal.code;
            done(err, false);
          },
          (e: unknown) => {
            logger.error({ err: e }, "embedded MQTT broker: checking a login failed");
            const err = new Error("login check failed") as AuthenticateError;
            err.returnCode = 3;
            done(err, false);
          },
        );
      },
      authorizePublish: (client, packet, done) => {
        const who = client ? this.roles.get(client) : undefined;
        // A publish with no client is the broker's own ($SYS); every client has a role once connected.
        if (!client) return done(null);
        const refusal = who ? acl.refusePublish(who.role, packet.topic, packet.retain) : "not logged in";
        if (!refusal) return done(null);
        logger.warn(
          { clientId: client.id, user: who?.username, address: addressOf(client), topic: packet.topic },
          `embedded MQTT broker refused a publish and closed the connection: ${refusal}`,
        );
        done(new Error(refusal));
      },
      authorizeSubscribe: (client, sub, done) => {
        const who = client ? this.roles.get(client) : undefined;
        if (who && acl.maySubscribe(who.role, sub.topic)) return done(null, sub);
        logger.warn(
          { clientId: client?.id, user: who?.username, filter: sub.topic },
          "embedded MQTT broker refused a subscription beyond what the user may read",
        );
        // null: a failure code in the SUBACK for this filter; the connection stays.
        done(null, null);
      },
      // At delivery too: a session restored from before a change of rights reads no more than allowed.
      authorizeForward: (client, packet) => {
        const who = this.roles.get(client);
        return who && acl.mayRead(who.role, packet.topic) ? packet : undefined;
      },
    });
    aedes.on("subscribe", (subs, client) => {
      const filters = subs.map((x) => x.topic);
      for (const fn of this.subscribeListeners) fn(client?.id ?? "", filters);
    });
    aedes.on("clientError", (client, e) =>
      logger.debug({ clientId: client.id, err: e.message }, "embedded broker: client error"),
    );
    const accept = (socket: Socket): void => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      socket.on("error", () => undefined);
      aedes.handle(socket);
      limitPacketSize(socket, this.opts.maxPacketBytes, (announced) =>
        logger.warn(
          {
            address: socket.remoteAddress,
            announced: Number.isFinite(announced) ? announced : "malformed",
            limit: this.opts.maxPacketBytes,
          },
          "embedded MQTT broker closed a connection: packet over the size limit",
        ),
      );
    };
    this.aedes = aedes;
    const plain = createServer(accept);
    this.boundPort = await listen(plain, this.opts.port, this.opts.host);
    this.servers.push(plain);
    if (this.opts.tls) {
      const { cert, key, host, port } = this.opts.tls;
      const secure = createTlsServer({ cert, key, minVersion: "TLSv1.2" }, accept);
      // A failed handshake (a client that does not trust the certificate) is the client's business.
      secure.on("tlsClientError", (e, socket) =>
        logger.debug({ address: socket.remoteAddress, err: e.message }, "embedded broker: TLS handshake failed"),
      );
      this.boundTlsPort = await listen(secure, port, host);
      this.servers.push(secure);
    }
    logger.info(
      {
        host: this.opts.host,
        port: this.boundPort,
        tls: this.opts.tls ? { host: this.opts.tls.host, port: this.boundTlsPort } : "off",
        maxPacketBytes: this.opts.maxPacketBytes,
      },
      "embedded MQTT broker listening",
    );
    return this.boundPort;
  }

  /** Undefined when the client may connect; else why not, with the CONNACK code. */
  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<{ code: number; reason: string } | undefined> {
    const { logger } = this.opts;
    const address = addressOf(client);
    const where = { address, clientId: client.id };
    if (!username && password === undefined) {
      if (this.opts.allowAnonymousLoopback && isLoopbackAddress(address)) {
        this.roles.set(client, { role: "accounting", username: "" });
        return this.checkClientId(client, "accounting");
      }
      logger.warn(
        where,
        "embedded MQTT broker refused an anonymous client: give a user name and password (docs/mqtt.md, Credentials)",
      );
      return { code: NOT_AUTHORIZED, reason: "anonymous clients are not allowed" };
    }
    // The gateway's own password is 32 random bytes made at start: no lock stands between it and its broker.
    const lockedMs = username === GATEWAY_USER ? 0 : this.throttle.retryAfter(username ?? "", address);
    if (lockedMs > 0) {
      logger.warn(
        { ...where, user: username, retryAfterSeconds: Math.ceil(lockedMs / 1000) },
        "embedded MQTT broker refused a login: too many wrong passwords from this address",
      );
      return { code: NOT_AUTHORIZED, reason: "too many wrong passwords: try later" };
    }
    const role = await this.opts.users.verify(username, password);
    if (!role) {
      this.throttle.fail(username ?? "", address);
      logger.warn({ ...where, user: username }, "embedded MQTT broker refused a login: bad user name or password");
      return { code: BAD_USER_OR_PASSWORD, reason: "bad user name or password" };
    }
    if (role !== "gateway") this.throttle.succeed(username ?? "", address);
    this.roles.set(client, { role, username: username ?? "" });
    return this.checkClientId(client, role);
  }

  private checkClientId(client: Client, role: BrokerRole): { code: number; reason: string } | undefined {
    if (client.id !== this.opts.gatewayClientId || role === "gateway") return undefined;
    this.opts.logger.warn(
      { address: addressOf(client), clientId: client.id },
      "embedded MQTT broker refused a client using the gateway's own client id",
    );
    return { code: IDENTIFIER_REJECTED, reason: "this client id belongs to the gateway" };
  }

  private disconnectUser(username: string): void {
    const clients = (this.aedes as unknown as { clients?: Record<string, Client> } | undefined)?.clients ?? {};
    for (const c of Object.values(clients)) if (this.roles.get(c)?.username === username) c.close();
  }

  async stop(): Promise<void> {
    this.stopRotateListener();
    const { aedes } = this;
    const servers = this.servers.splice(0);
    this.aedes = undefined;
    // server.close() waits for open connections: stop accepting, close the clients, then wait.
    const closed = Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

function addressOf(client: Client): string {
  return (client.conn as { remoteAddress?: string } | undefined)?.remoteAddress ?? "";
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const addr = server.address();
      resolve(typeof addr === "object" && addr ? addr.port : port);
    });
  });
}
