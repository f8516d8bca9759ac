/**
 * Incoming MQTT messages → validated commands. Resolves when the result is durable (the
 * PUBACK follows); a payload that is refused resolves too, after an error event naming the
 * topic, the field and the reason, so that it is acknowledged and not redelivered forever.
 * Only a failed write rejects (no PUBACK: the broker redelivers after the reconnect).
 */
import { IN_TOPICS, OUT_TOPICS } from "../api/topics.js";
import { topicMatches } from "./acl.js";
import { check } from "../api/validate.js";
import { DuegateError, ErrorCode, isDuegateError } from "../core/errors.js";
import { maskNumber } from "../core/mask.js";
import { boundMessage, excerpt } from "../core/excerpt.js";
import { changeOptOut, ingestRecords, sendDirect, type RecordKind } from "../service/index.js";
import type { GatewayServices } from "../service/index.js";
import { answerRequest } from "./requests.js";
import type { OptOutChange, SendRequest } from "../api/payloads.js";

export interface IngestOptions {
  /** "<base>/<id>/" */
  prefix: string;
  /** "<base>/shared/send" when shared send work is on. */
  sharedSendTopic?: string;
  maxBatch: number;
  gatewayId: string;
  respond(what: string, body: object): void;
  /**
   * A message on one of the gateway's own output topics, or outside its prefix: it can only
   * have come through a subscription that is not the gateway's (a session someone else
   * subscribed in under the gateway's client id). Never answered: an answer would be one more
   * output message, received again, answered again, without end.
   */
  onNotInput?(topic: string): void;
}

/** The gateway's output topics relative to the prefix, as filters ("keyword/+"). */
const OUTPUT_FILTERS = OUT_TOPICS.map((t) => t.topic.replace(/<[^>]+>/g, "+"));

export class MqttIngest {
  /** Messages dropped because they were not input (the gateway's own output, foreign topics). */
  notInput = 0;

  constructor(
    private readonly services: GatewayServices,
    private readonly opts: IngestOptions,
  ) {}

  async handle(topic: string, payload: Buffer): Promise<void> {
    const rel =
      topic === this.opts.sharedSendTopic
        ? "send"
        : topic.startsWith(this.opts.prefix)
          ? topic.slice(this.opts.prefix.length)
          : undefined;
    if (rel === undefined || OUTPUT_FILTERS.some((f) => topicMatches(f, rel))) {
      this.notInput++;
      return this.opts.onNotInput?.(topic);
    }
    let body: unknown;
    try {
      body = JSON.parse(payload.toString("utf8"));
    } catch (e) {
      if (rel.startsWith("request/"))
        return this.opts.respond(rel.slice(8), {
          status: "error",
          data: null,
          error: "the payload is not JSON",
          code: ErrorCode.PayloadMalformed,
        });
      return this.refuse(topic, "", ErrorCode.PayloadMalformed, `the payload is not JSON: ${(e as Error).message}`);
    }
    if (rel.startsWith("request/"))
      return answerRequest(this.services, this.opts.gatewayId, rel.slice(8), body, this.opts.respond);
    switch (rel) {
      case IN_TOPICS.accounts.topic:
        return this.records(topic, "accounts", body);
      case IN_TOPICS.invoices.topic:
        return this.records(topic, "invoices", body);
      case IN_TOPICS.payments.topic:
        return this.records(topic, "payments", body);
      case IN_TOPICS.send.topic:
        return this.send(topic, body);
      case IN_TOPICS.optout.topic:
        return this.optout(topic, body);
      default:
        return this.refuse(topic, "", ErrorCode.UnknownTopic, `unknown topic ${excerpt(rel)}: see docs/mqtt.md`);
    }
  }

  private async records(topic: string, kind: RecordKind, body: unknown): Promise<void> {
    const result = await ingestRecords(this.services.ledger, kind, body, this.opts.maxBatch);
    for (const r of result.refused)
      this.refuse(topic, r.field ?? "", ErrorCode.PayloadInvalid, r.id ? `${r.id}: ${r.reason}` : r.reason);
  }

  private async send(topic: string, body: unknown): Promise<void> {
    const c = check(IN_TOPICS.send.schema, body);
    if (!c.ok) return this.refuse(topic, c.problems[0]!.field, ErrorCode.PayloadInvalid, c.problems[0]!.reason);
    try {
      const r = await sendDirect(this.services.outbox, c.value as SendRequest, "mqtt", topic);
      this.services.logger.info(
        { id: r.message.id, to: maskNumber(r.message.to), status: r.status },
        "send request over MQTT",
      );
    } catch (e) {
      if (isDuegateError(e, ErrorCode.InvalidNumber) || isDuegateError(e, ErrorCode.OptedOut))
        return this.refuse(topic, "/to", e.code, e.message);
      if (isDuegateError(e, ErrorCode.Validation) || isDuegateError(e, ErrorCode.TextUnencodable))
        return this.refuse(topic, String(e.context.field ?? ""), e.code, e.message);
      throw e;
    }
  }

  private async optout(topic: string, body: unknown): Promise<void> {
    const c = check(IN_TOPICS.optout.schema, body);
    if (!c.ok) return this.refuse(topic, c.problems[0]!.field, ErrorCode.PayloadInvalid, c.problems[0]!.reason);
    try {
      await changeOptOut(this.services, c.value as OptOutChange, { via: "mqtt", by: topic });
    } catch (e) {
      if (
        e instanceof DuegateError &&
        (e.code === ErrorCode.Validation || e.code === ErrorCode.NotFound || e.code === ErrorCode.InvalidNumber)
      )
        return this.refuse(topic, String(e.context.field ?? ""), e.code, e.message);
      throw e;
    }
  }

  /** The error event goes through the bus: MQTT error topic, webhooks, web panel alike. */
  private refuse(topic: string, field: string, code: string, message: string): void {
    // Topic, field and message may quote the sender's bytes: an excerpt goes out, never the whole.
    this.services.bus.emit("input.error", {
      source: "mqtt",
      where: excerpt(topic, 200),
      field: excerpt(field),
      code,
      message: boundMessage(message),
      at: this.services.clock.now(),
    });
  }
}
