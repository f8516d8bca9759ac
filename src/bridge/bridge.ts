/**
 * The MQTT bridge as one Service for the composition root: optional embedded broker, the
 * link, ingest of commands, publication of events and the retained status.
 */
import type { Config } from "../config/schema.js";
import type { Service } from "../core/lifecycle.js";
import type { TimerHandle } from "../core/clock.js";
import { EmbeddedBroker } from "./broker.js";
import { MqttLink } from "./client.js";
import { MqttIngest } from "./ingest.js";
import { EventPublisher, type OutgoingEvent } from "./publisher.js";
import { gatewayStatus, type GatewayServices, type EventJournal } from "../service/index.js";
import { IN_TOPICS, isSafeTopicLevel } from "../api/topics.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { TopicAcl } from "./acl.js";
import { BrokerUsers, type BrokerUsersFile, type StoredBrokerUsers } from "./credentials.js";
import { brokerExposure } from "./exposure.js";
import { packetLimitFor } from "./packet-guard.js";
import { SessionSweeper } from "./session-sweeper.js";

export interface MqttBridgeDeps {
  services: GatewayServices;
  config: Pick<Config, "mqtt"> & { gateway: Pick<Config["gateway"], "id"> };
  /** Undelivered events, durable across restarts (src/compose/mqtt.ts: FileJournal.open(<dataDir>/mqtt-outgoing.jsonl)). */
  journal: EventJournal<OutgoingEvent>;
  /**
   * The embedded broker's users (src/compose/mqtt.ts: kept in <dataDir>/mqtt/users.json). Without it (tests
   * and tools that build a bridge alone) the users live in memory for the bridge's lifetime.
   */
  brokerUsers?: BrokerUsers;
  /** The appliance's certificate for the mqtts listener (src/compose/mqtt.ts: ensureTlsIdentity). Without it: no TLS listener. */
  tlsIdentity?: () => Promise<{ cert: string; key: string; fingerprint256: string }>;
}

export class MqttBridge implements Service {
  readonly name = "mqtt";
  private broker: EmbeddedBroker | undefined;
  private link: MqttLink | undefined;
  private publisher: EventPublisher | undefined;
  private statusTimer: TimerHandle | undefined;
  private readonly prefix: string;
  private readonly gatewayId: string;

  constructor(private readonly deps: MqttBridgeDeps) {
    const { baseTopic } = deps.config.mqtt;
    this.gatewayId = deps.config.gateway.id;
    if (!baseTopic.split("/").every(isSafeTopicLevel) || !isSafeTopicLevel(this.gatewayId))
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `mqtt.baseTopic "${baseTopic}" and gateway.id "${this.gatewayId}" may not contain + # or empty levels`,
        { key: "mqtt.baseTopic" },
      );
    this.prefix = `${baseTopic}/${this.gatewayId}/`;
  }

  /** The embedded broker when mode is "embedded" (tests restart it; the panel shows its port). */
  get embeddedBroker(): EmbeddedBroker | undefined {
    return this.broker;
  }

  /** The port of the embedded broker (0 when none), e.g. for tests with port 0. */
  get brokerPort(): number {
    return this.broker?.port ?? 0;
  }

  get connected(): boolean {
    return this.link?.connected ?? false;
  }

  get backlog(): number {
    return this.deps.journal.size;
  }

  /** SHA-256 fingerprint of the certificate the mqtts listener presents (undefined without TLS). */
  tlsFingerprint: string | undefined;

  /** Messages received that were not input (the gateway's own events, foreign topics): dropped, never answered. */
  notInput = 0;

  /** Error events not published because they came faster than the rate limit. */
  get suppressedErrors(): number {
    return this.publisher?.suppressedTotal ?? 0;
  }

  async start(): Promise<void> {
    const { mqtt } = this.deps.config;
    const { services } = this.deps;
    if (mqtt.mode === "off") return;
    const logger = services.logger.child({ subsystem: "mqtt" });
    let url = mqtt.url;
    let username = mqtt.username;
    let password = mqtt.password;
    const clientId = mqtt.clientId || `duegate-${this.gatewayId}`;
    const sharedSendTopic = mqtt.sharedSendGroup ? `${mqtt.baseTopic}/shared/send` : undefined;
    if (mqtt.mode === "embedded") {
      const e = mqtt.embedded;
      const users =
        this.deps.brokerUsers ??
        (await BrokerUsers.open({
          file: memoryUsersFile(),
          config: e,
          clock: services.clock,
          logger,
          where: "memory",
        }));
      const tls = e.tls.enabled && this.deps.tlsIdentity ? await this.deps.tlsIdentity() : undefined;
      this.broker = new EmbeddedBroker({
        host: e.host,
        port: e.port,
        ...(tls ? { tls: { host: e.tls.host, port: e.tls.port, cert: tls.cert, key: tls.key } } : {}),
        users,
        acl: new TopicAcl({
          baseTopic: mqtt.baseTopic,
          gatewayId: this.gatewayId,
          ...(sharedSendTopic ? { sharedSendTopic } : {}),
        }),
        gatewayClientId: clientId,
        allowAnonymousLoopback: e.allowAnonymousLoopback,
        maxPacketBytes: packetLimitFor(mqtt.maxBatch, e.maxPacketBytes),
        authFailuresBeforeLock: e.authFailuresBeforeLock,
        clock: services.clock,
        logger,
      });
      const port = await this.broker.start();
      this.tlsFingerprint = tls?.fingerprint256;
      if (tls)
        logger.info(
          { port: this.broker.tlsPort, fingerprint256: tls.fingerprint256 },
          "embedded MQTT broker: mqtts with the appliance's certificate (pin this fingerprint in the accounting server)",
        );
      for (const w of brokerExposure(this.deps.config)) logger.warn({ key: w.key }, `SECURITY: ${w.message}`);
      // The gateway's own client comes in over loopback when the listener is on every address.
      const host = isAnyAddress(e.host) ? "127.0.0.1" : e.host;
      url = `mqtt://${host.includes(":") ? `[${host}]` : host}:${port}`;
      username = users.gatewayLogin.username;
      password = users.gatewayLogin.password;
    }
    const link: MqttLink = new MqttLink(
      {
        url,
        clientId,
        username,
        password,
        ca: mqtt.ca,
        cert: mqtt.cert,
        key: mqtt.key,
        rejectUnauthorized: mqtt.rejectUnauthorized,
        protocolVersion: mqtt.protocolVersion,
        keepaliveSeconds: mqtt.keepaliveSeconds,
        reconnectPeriodMs: mqtt.reconnectPeriodMs,
        sessionExpirySeconds: mqtt.sessionExpirySeconds,
        will: {
          topic: this.prefix + "status",
          payload: JSON.stringify({ state: "offline", gatewayId: this.gatewayId, at: services.clock.now() }),
        },
      },
      logger,
      (topic, payload): Promise<void> => {
        // Only what the gateway's own filters match is input; anything else came through a
        // subscription someone else left in the session (session-sweeper.ts).
        if (!sweeper.isOwn(topic)) {
          this.notInput++;
          // Not awaited: mqtt.js reads the next packet (the UNSUBACK among them) only after this handler.
          sweeper.foreign(topic).catch((err: unknown) => logger.warn({ err }, "MQTT unsubscribe failed"));
          return Promise.resolve();
        }
        return ingest.handle(topic, payload);
      },
    );
    const respond = (what: string, body: object): void =>
      link.publish(`${this.prefix}response/${what}`, JSON.stringify(body), { qos: 1 }, () => undefined);
    const ingest = new MqttIngest(services, {
      prefix: this.prefix,
      sharedSendTopic,
      maxBatch: mqtt.maxBatch,
      gatewayId: this.gatewayId,
      respond,
      onNotInput: () => void this.notInput++,
    });
    // An embedded broker starts with no sessions (they live in memory): events published
    // before the accounting server has subscribed again would reach nobody. They wait in the
    // journal until some other client subscribes to a filter that covers our topics.
    let subscriber = this.broker === undefined;
    const publisher = new EventPublisher({
      bus: services.bus,
      journal: this.deps.journal,
      link,
      prefix: this.prefix,
      maxInflight: mqtt.maxInflight,
      logger,
      deliverable: () => subscriber,
      now: () => services.clock.now(),
    });
    this.broker?.onSubscribe((id, filters) => {
      if (subscriber || id === clientId || !filters.some((f) => filterCoversPrefix(f, this.prefix))) return;
      subscriber = true;
      logger.info({ backlog: this.deps.journal.size }, "a client subscribed to the gateway's events; publishing them");
      publisher.pump();
    });
    const topics = [...Object.values(IN_TOPICS).map((t) => this.prefix + t.topic), `${this.prefix}request/+`];
    if (sharedSendTopic) topics.push(`$share/${mqtt.sharedSendGroup}/${sharedSendTopic}`);
    const sweeper: SessionSweeper = new SessionSweeper({
      baseTopic: mqtt.baseTopic,
      prefix: this.prefix,
      own: topics,
      link,
      logger,
    });
    link.onConnect((sessionPresent: boolean) => {
      // Subscribed on every connect: a broker that lost the session (restarted without
      // persistence) gets the subscriptions again; then online, then the backlog.
      sweeper
        .connected(sessionPresent)
        // A failed sweep must not leave the gateway without its own subscriptions.
        .catch((e: unknown) => logger.warn({ err: e }, "MQTT unsubscribe of foreign filters failed"))
        .then(() => link.subscribe(topics))
        .then(
          () => {
            this.publishStatus();
            publisher.pump();
          },
          (e: unknown) => logger.error({ err: e }, "MQTT subscribe failed"),
        );
    });
    // Each modem's figures are in the status: published again when one changes.
    services.bus.on("modem.health", "mqtt-status", () => this.publishStatus());
    services.bus.on("modem.rotation", "mqtt-status", () => this.publishStatus());
    services.bus.on("modem.credit", "mqtt-status", () => this.publishStatus());
    this.link = link;
    this.publisher = publisher;
    publisher.start();
    link.start();
    this.scheduleStatus();
  }

  private scheduleStatus(): void {
    this.statusTimer = this.deps.services.clock.setTimer(this.deps.config.mqtt.statusIntervalMs, () => {
      this.publishStatus();
      this.scheduleStatus();
    });
  }

  private publishStatus(state: "online" | "offline" = "online"): Promise<void> {
    const link = this.link;
    if (!link?.connected) return Promise.resolve();
    const body = JSON.stringify(gatewayStatus(this.deps.services, state, this.gatewayId));
    return link.publishAsync(this.prefix + "status", body, { retain: true, qos: 1 }).catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.statusTimer?.cancel();
    this.statusTimer = undefined;
    this.deps.services.bus.removeAll("mqtt-status");
    this.publisher?.stop();
    if (this.link) {
      await Promise.race([this.publishStatus("offline"), new Promise((r) => setTimeout(r, 2000).unref())]);
      await this.link.stop();
    }
    await this.deps.journal.flush();
    await this.broker?.stop();
    this.link = undefined;
    this.publisher = undefined;
    this.broker = undefined;
  }
}

function isAnyAddress(host: string): boolean {
  return host === "0.0.0.0" || host === "::" || host === "";
}

/** Users kept for the bridge's lifetime only (no data directory given). */
function memoryUsersFile(): BrokerUsersFile {
  let data: StoredBrokerUsers | undefined;
  return {
    read: () => data,
    write: async (d) => {
      data = d;
    },
  };
}

/** Whether an MQTT topic filter can match some topic under `prefix` ("a/b/"). */
export function filterCoversPrefix(filter: string, prefix: string): boolean {
  const f = filter.startsWith("$share/") ? filter.split("/").slice(2).join("/") : filter;
  const want = prefix.replace(/\/$/, "").split("/");
  const have = f.split("/");
  for (let i = 0; i < want.length; i++) {
    const level = have[i];
    if (level === "#") return true;
    if (level === undefined) return false;
    if (level !== "+" && level !== want[i]) return false;
  }
  return have.length > want.length;
}
