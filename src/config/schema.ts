import { Type, type Static } from "@sinclair/typebox";
import { GatewaySection } from "./sections/gateway.js";
import { LogSection } from "./sections/log.js";
import { ModemSection, ModemsSection } from "./sections/modem.js";
import { StorageSection } from "./sections/storage.js";
import { OutboxSection } from "./sections/outbox.js";
import { DunningSection } from "./sections/dunning.js";
import { InboundSection } from "./sections/inbound.js";
import { MqttSection } from "./sections/mqtt.js";
import { HttpSection } from "./sections/http.js";
import { EmailSection } from "./sections/email.js";

/**
 * The one schema (Zigbee2MQTT settings.schema.json): validation, defaults and the
 * documentation of every key (docs/configuration.md is generated from it).
 */
export const ConfigSchema = Type.Object(
  {
    gateway: GatewaySection,
    log: LogSection,
    modem: ModemSection,
    modems: ModemsSection,
    storage: StorageSection,
    outbox: OutboxSection,
    dunning: DunningSection,
    inbound: InboundSection,
    mqtt: MqttSection,
    http: HttpSection,
    email: EmailSection,
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
