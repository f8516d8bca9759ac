/**
 * The MQTT link (src/bridge): the embedded broker's users, kept across bridges, the bridge as a
 * service that a settings change replaces, and the admin's view of the broker's logins.
 */
import { resolve } from "node:path";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { Service } from "../core/lifecycle.js";
import { MqttBridge } from "../bridge/bridge.js";
import { BrokerUsers, type StoredBrokerUsers } from "../bridge/credentials.js";
import type { GatewayServices } from "../service/index.js";
import type { OutgoingEvent } from "../bridge/publisher.js";
import { SecretFile } from "../store/secret-file.js";
import { FileJournal } from "../store/event-journal.js";
import { ensureTlsIdentity } from "../system/tls-certificate.js";
import type { MqttCredentialsPort } from "../app-services.js";
import type { AppContext } from "./context.js";
import { readsKeys, target } from "./live-settings.js";

export async function buildMqtt(ctx: AppContext, o: { enabled: boolean; services: () => GatewayServices }) {
  const { clock, logger, dataDir } = ctx;
  const config = () => ctx.live.current;
  // The embedded broker's users outlive a bridge restarted by a settings change; made at the first embedded start.
  const usersFile = new SecretFile<StoredBrokerUsers>(resolve(dataDir, "mqtt", "users.json"));
  let brokerUsers: Promise<BrokerUsers> | undefined;
  const openBrokerUsers = (): Promise<BrokerUsers> =>
    (brokerUsers ??= BrokerUsers.open({
      file: usersFile,
      config: config().mqtt.embedded,
      clock,
      logger: logger.child({ sub: "mqtt" }),
      where: usersFile.path,
    }));
  const tlsIdentity = () => {
    const tls = config().mqtt.embedded.tls;
    return ensureTlsIdentity({
      dataDir,
      ...(tls.certFile ? { certFile: tls.certFile } : {}),
      ...(tls.keyFile ? { keyFile: tls.keyFile } : {}),
    });
  };
  const journal = o.enabled
    ? await FileJournal.open<OutgoingEvent>(resolve(dataDir, "mqtt-outgoing.jsonl"), {
        clock,
        logger: logger.child({ sub: "mqtt" }),
        maxItems: config().mqtt.journalMaxEvents,
      })
    : undefined;

  let bridge: MqttBridge | undefined;
  let running = false;
  const bridgeFor = async (): Promise<MqttBridge | undefined> => {
    const c = config();
    if (!journal || c.mqtt.mode === "off") return undefined;
    return new MqttBridge({
      services: o.services(),
      config: c,
      journal,
      tlsIdentity,
      ...(c.mqtt.mode === "embedded" ? { brokerUsers: await openBrokerUsers() } : {}),
    });
  };
  // The bridge is looked up when it starts and stops: a settings change may replace it.
  const service: Service = {
    name: "mqtt",
    start: async () => {
      bridge = await bridgeFor();
      await bridge?.start();
      running = true;
    },
    stop: async () => {
      running = false;
      await bridge?.stop();
    },
  };
  // The broker link, topics and last will are built at start: new settings mean a new bridge.
  const settings = target("mqtt", readsKeys("mqtt."), async () => {
    if (!running) return;
    await bridge?.stop();
    bridge = await bridgeFor();
    await bridge?.start();
    logger.info({ mode: config().mqtt.mode }, "MQTT settings changed in the panel; bridge restarted");
  });

  const credentials: MqttCredentialsPort = {
    view: async () => {
      const broker = bridge?.embeddedBroker;
      const c = config().mqtt;
      if (c.mode !== "embedded" || !broker || !brokerUsers) return undefined;
      const tls = bridge?.tlsFingerprint;
      return {
        ...(await brokerUsers).view(),
        listeners: {
          plain: { host: c.embedded.host, port: broker.port },
          ...(tls ? { tls: { host: c.embedded.tls.host, port: broker.tlsPort, fingerprint256: tls } } : {}),
        },
      };
    },
    rotate: async () => {
      if (config().mqtt.mode !== "embedded")
        throw new DuegateError(
          ErrorCode.Validation,
          "the embedded MQTT broker is not in use (mqtt.mode is not embedded)",
          { field: "mqtt.mode" },
        );
      return (await openBrokerUsers()).rotate();
    },
  };

  return {
    service,
    settings,
    credentials,
    get bridge() {
      return bridge;
    },
    close: () => journal?.close(),
  };
}
