/**
 * The accounting server's side of MQTT: publishes send requests and records (QoS 1, each
 * counted as accepted only when the broker acknowledged it) and watches the gateway's
 * retained status, so that a suite knows when the gateway is subscribed and online.
 */
import mqtt, { type MqttClient } from "mqtt";
import { sleep } from "./tools.js";

export class AccountingClient {
  private status: { state?: string; at?: number } = {};
  readonly events: Array<{ topic: string; payload: Record<string, unknown> }> = [];

  private constructor(
    readonly client: MqttClient,
    readonly prefix: string,
  ) {}

  /** watch: topics (relative to the prefix) whose messages are kept in events; clientId set = persistent session. */
  static async connect(
    url: string,
    prefix: string,
    opts: { watch?: string[]; clientId?: string } = {},
  ): Promise<AccountingClient> {
    const client = await mqtt.connectAsync(url, {
      clientId: opts.clientId ?? `accounting-${process.pid}-${Math.random().toString(36).slice(2, 8)}`,
      clean: opts.clientId === undefined,
      reconnectPeriod: 200,
      connectTimeout: 5000,
    });
    const a = new AccountingClient(client, prefix);
    client.on("message", (topic, payload) => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(payload.toString("utf8")) as Record<string, unknown>;
      } catch {
        return;
      }
      if (topic === `${prefix}status`) a.status = body as { state?: string };
      else a.events.push({ topic, payload: body });
    });
    await client.subscribeAsync([`${prefix}status`, ...(opts.watch ?? []).map((t) => prefix + t)], { qos: 1 });
    return a;
  }

  get gatewayState(): string | undefined {
    return this.status.state;
  }

  /** Resolves once the gateway's retained status says online (it publishes that after subscribing). */
  async waitOnline(timeoutMs: number): Promise<void> {
    const steps = Math.ceil(timeoutMs / 25);
    for (let i = 0; i < steps; i++) {
      if (this.status.state === "online") return;
      await sleep(25);
    }
    throw new Error(
      `the gateway did not come online on MQTT within ${timeoutMs} ms (status ${JSON.stringify(this.status)})`,
    );
  }

  /** Marks the status unknown (call before a restart, then waitOnline). */
  forgetStatus(): void {
    this.status = {};
  }

  /** QoS 1 publish; resolves when the broker acknowledged it. */
  async publish(topic: string, body: unknown): Promise<void> {
    await this.client.publishAsync(this.prefix + topic, JSON.stringify(body), { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}
