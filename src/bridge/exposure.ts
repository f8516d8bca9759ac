/**
 * What of the embedded broker is reachable from beyond this machine without TLS or without a
 * password: said at every start (bridge.ts) and by `duegate doctor`. Pure: reads the config only.
 */
import type { Config } from "../config/schema.js";

export interface ExposureWarning {
  key: string;
  message: string;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || a === "localhost" || /^127\.\d+\.\d+\.\d+$/.test(a);
}

/** Warnings about the embedded broker's exposure; empty when it is off, external or safe. */
export function brokerExposure(config: Pick<Config, "mqtt">): ExposureWarning[] {
  const { mqtt } = config;
  if (mqtt.mode !== "embedded") return [];
  const e = mqtt.embedded;
  const out: ExposureWarning[] = [];
  if (!isLoopbackAddress(e.host))
    out.push({
      key: "mqtt.embedded.host",
      message: `the embedded MQTT broker accepts unencrypted connections on ${e.host}:${e.port}: passwords, phone numbers and texts cross the LAN in clear. Set mqtt.embedded.host to 127.0.0.1 and let clients use mqtts on port ${e.tls.port}.`,
    });
  if (e.allowAnonymousLoopback)
    out.push({
      key: "mqtt.embedded.allowAnonymousLoopback",
      message:
        "the embedded MQTT broker lets any program on this machine connect without a password, with the accounting server's rights (read every debtor's data, send SMS). Turn mqtt.embedded.allowAnonymousLoopback off outside development.",
    });
  if (e.password && e.password.length < 12)
    out.push({
      key: "mqtt.embedded.password",
      message: "mqtt.embedded.password is shorter than 12 characters: leave it empty to have a strong one generated.",
    });
  return out;
}
