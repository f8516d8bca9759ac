/**
 * The only code that touches mqtt.js (Zigbee2MQTT lib/mqtt.ts). QoS 1 both ways, a fixed
 * clientId with clean:false so the broker keeps the session while the gateway is away, a
 * retained last will, and PUBACK only after the handler resolved: mqtt.js sends the QoS 1
 * PUBACK from the callback of client.handleMessage (lib/handlers/publish.ts), and handles
 * one incoming packet at a time, so ingest is in order and nothing is acknowledged early.
 */
import { readFileSync } from "node:fs";
import mqtt, { type IClientOptions, type MqttClient, type IPublishPacket } from "mqtt";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";

export interface LinkOptions {
  url: string;
  clientId: string;
  username?: string;
  password?: string;
  /** Paths of PEM files. */
  ca?: string;
  cert?: string;
  key?: string;
  rejectUnauthorized?: boolean;
  protocolVersion?: 4 | 5;
  keepaliveSeconds?: number;
  reconnectPeriodMs?: number;
  sessionExpirySeconds?: number;
  will: { topic: string; payload: string };
}

/** Resolves when the message is durably handled; a rejection leaves it unacknowledged. */
export type MessageHandler = (topic: string, payload: Buffer) => Promise<void>;

export class MqttLink {
  private client: MqttClient | undefined;
  private readonly connectListeners: Array<(sessionPresent: boolean) => void> = [];

  constructor(
    private readonly opts: LinkOptions,
    private readonly logger: Logger,
    private readonly onMessage: MessageHandler,
  ) {}

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** After every connect; sessionPresent: the broker kept a session from before (with whatever it subscribed). */
  onConnect(fn: (sessionPresent: boolean) => void): void {
    this.connectListeners.push(fn);
  }

  /** Starts connecting; never waits for the broker (it may be down: we reconnect). */
  start(): void {
    const o = this.opts;
    const options: IClientOptions = {
      clientId: o.clientId,
      clean: false,
      protocolVersion: o.protocolVersion ?? 4,
      keepalive: o.keepaliveSeconds ?? 30,
      reconnectPeriod: o.reconnectPeriodMs ?? 2000,
      connectTimeout: 10_000,
      resubscribe: true,
      // A QoS 1 publish while offline waits in the outgoing store and goes out in order on reconnect.
      queueQoSZero: false,
      will: { topic: o.will.topic, payload: Buffer.from(o.will.payload), qos: 1, retain: true },
      ...(o.protocolVersion === 5 ? { properties: { sessionExpiryInterval: o.sessionExpirySeconds ?? 604800 } } : {}),
      ...(o.username ? { username: o.username } : {}),
      ...(o.password ? { password: o.password } : {}),
      ...(o.ca ? { ca: readPem(o.ca, "mqtt.ca") } : {}),
      ...(o.cert ? { cert: readPem(o.cert, "mqtt.cert") } : {}),
      ...(o.key ? { key: readPem(o.key, "mqtt.key") } : {}),
      rejectUnauthorized: o.rejectUnauthorized ?? true,
    };
    const client = mqtt.connect(o.url, options);
    this.client = client;
    client.handleMessage = (packet: IPublishPacket, callback: (error?: Error) => void) => {
      const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : Buffer.from(packet.payload);
      this.onMessage(packet.topic, payload).then(
        () => callback(),
        (e: unknown) => {
          // Not stored: no PUBACK. The broker redelivers a QoS 1 message only on a new
          // connection, so drop this one after a pause and let mqtt.js reconnect.
          this.logger.error(
            { err: e, topic: packet.topic },
            "an MQTT message could not be stored; reconnecting so that the broker redelivers it",
          );
          callback(e instanceof Error ? e : new Error(errorMessage(e)));
          setTimeout(() => client.stream?.destroy(), 1000).unref();
        },
      );
    };
    client.on("connect", (connack) => {
      this.logger.info({ url: redactUrl(o.url), sessionPresent: connack.sessionPresent }, "MQTT connected");
      for (const fn of this.connectListeners) fn(connack.sessionPresent);
    });
    client.on("reconnect", () => this.logger.debug("MQTT reconnecting"));
    client.on("offline", () =>
      this.logger.warn({ url: redactUrl(o.url) }, "MQTT broker unreachable; events are kept and sent after reconnect"),
    );
    client.on("error", (e) => this.logger.warn({ err: e.message }, "MQTT error"));
  }

  async subscribe(topics: string[]): Promise<void> {
    const c = this.requireClient();
    await c.subscribeAsync(Object.fromEntries(topics.map((t) => [t, { qos: 1 as const }])));
  }

  async unsubscribe(filters: string[]): Promise<void> {
    if (filters.length === 0) return;
    await this.requireClient().unsubscribeAsync(filters);
  }

  /** QoS 1: the callback fires on PUBACK (after reconnects too: mqtt.js resends from its store). */
  publish(topic: string, payload: string, opts: { retain?: boolean; qos?: 0 | 1 }, cb: (error?: Error) => void): void {
    this.requireClient().publish(topic, payload, { qos: opts.qos ?? 1, retain: opts.retain ?? false }, (e) =>
      cb(e ?? undefined),
    );
  }

  publishAsync(topic: string, payload: string, opts: { retain?: boolean; qos?: 0 | 1 }): Promise<void> {
    return new Promise((resolve, reject) => this.publish(topic, payload, opts, (e) => (e ? reject(e) : resolve())));
  }

  /** Orderly stop: the caller publishes "offline" first; then the connection closes without the will. */
  async stop(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.client = undefined;
    // A graceful end waits for in-flight acknowledgements; a broker that is away gets 3 s.
    const graceful = c.endAsync(false).then(
      () => true,
      () => false,
    );
    const done = await Promise.race([graceful, new Promise<boolean>((r) => setTimeout(() => r(false), 3000).unref())]);
    if (!done) await c.endAsync(true).catch(() => undefined);
  }

  private requireClient(): MqttClient {
    if (!this.client) throw new DuegateError(ErrorCode.BrokerUnavailable, "the MQTT link is not started");
    return this.client;
  }
}

function readPem(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new DuegateError(ErrorCode.ConfigInvalid, `${key}: cannot read ${path}: ${errorMessage(e)}`, { key, path });
  }
}

/** A URL with its password removed, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparsable url)";
  }
}
