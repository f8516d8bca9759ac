/**
 * The embedded broker (aedes) for a company without one: the accounting server connects
 * straight to the appliance, and the gateway is a client of it exactly as of an external
 * broker. Its session store is in memory and lives as long as the process; after a restart
 * the bridge holds events until a client subscribes again (onSubscribe): see docs/mqtt.md,
 * "Embedded broker".
 */
import { createServer, type Server, type Socket } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { Aedes, type AuthenticateError } from "aedes";
import persistenceModule from "aedes-persistence";

// aedes-persistence is CommonJS (module.exports = factory); its .d.ts declares an ES default,
// so under NodeNext the callable is the module itself. aedes imports it the same way.
const memoryPersistence = persistenceModule as unknown as () => object;
import type { Logger } from "../core/log.js";

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  username: string;
  password: string;
  logger: Logger;
}

export class EmbeddedBroker {
  private aedes: Aedes | undefined;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  // Kept across stop/start: sessions and queued QoS 1 messages survive a broker restart.
  private readonly persistence = memoryPersistence();
  private boundPort = 0;
  private readonly subscribeListeners: Array<(clientId: string, filters: string[]) => void> = [];

  constructor(private readonly opts: EmbeddedBrokerOptions) {}

  /** Called for every SUBSCRIBE (a session restored on reconnect resubscribes too). */
  onSubscribe(fn: (clientId: string, filters: string[]) => void): void {
    this.subscribeListeners.push(fn);
  }

  get port(): number {
    return this.boundPort;
  }

  async start(): Promise<number> {
    const { username, password, logger } = this.opts;
    const aedes = await Aedes.createBroker({
      persistence: this.persistence,
      authenticate: (_client, user, pass, done) => {
        if (!username && !password) return done(null, true);
        const ok = user === username && pass !== undefined && safeEqual(pass, Buffer.from(password));
        if (ok) return done(null, true);
        const err = new Error("bad username or password") as AuthenticateError;
        err.returnCode = 4;
        logger.warn("embedded MQTT broker refused a client: bad username or password");
        done(err, false);
      },
    });
    aedes.on("subscribe", (subs, client) => {
      const filters = subs.map((x) => x.topic);
      for (const fn of this.subscribeListeners) fn(client?.id ?? "", filters);
    });
    aedes.on("clientError", (client, e) => logger.debug({ clientId: client.id, err: e.message }, "embedded broker: client error"));
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
      aedes.handle(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.opts.port, this.opts.host, () => resolve());
    });
    const addr = server.address();
    this.boundPort = typeof addr === "object" && addr ? addr.port : this.opts.port;
    this.aedes = aedes;
    this.server = server;
    logger.info({ host: this.opts.host, port: this.boundPort, auth: Boolean(username || password) }, "embedded MQTT broker listening");
    return this.boundPort;
  }

  async stop(): Promise<void> {
    const { aedes, server } = this;
    this.aedes = undefined;
    this.server = undefined;
    // server.close() waits for open connections: stop accepting, close the clients, then wait.
    const closed = server ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    if (aedes) await new Promise<void>((r) => aedes.close(() => r()));
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    await closed;
  }
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
