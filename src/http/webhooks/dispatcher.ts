/**
 * Webhooks: the events the MQTT bridge publishes, POSTed to each configured URL, signed
 * (sign.ts), one at a time per receiver and in order, retried with exponential backoff
 * until a 2xx, kept in a durable journal per receiver so a restart loses nothing. At least
 * once: the body's `id` (also X-Duegate-Event-Id) lets the receiver drop duplicates.
 */
import { eventTopic } from "../../api/topics.js";
import type { DomainEvents } from "../../api/events.js";
import type { EventBus } from "../../core/bus.js";
import type { Clock, TimerHandle } from "../../core/clock.js";
import type { Service } from "../../core/lifecycle.js";
import type { Logger } from "../../core/log.js";
import { newId } from "../../core/ids.js";
import { errorMessage } from "../../core/errors.js";
import type { EventJournal } from "../../service/index.js";
import { SIGNATURE_HEADER, sign } from "./sign.js";

export interface WebhookTarget {
  url: string;
  secret: string;
  /** Event names ("message.state", "keyword.action"...); empty: every published event. */
  events: string[];
}

export interface WebhookEvent {
  id: string;
  event: string;
  topic: string;
  gatewayId: string;
  at: number;
  data: unknown;
}

export interface WebhookDeps {
  bus: EventBus<DomainEvents>;
  clock: Clock;
  logger: Logger;
  gatewayId: string;
  targets: WebhookTarget[];
  /** One durable journal per target (src/compose/webhooks.ts: FileJournal.open(<dataDir>/webhook-<n>.jsonl)). */
  openJournal(index: number, target: WebhookTarget): Promise<EventJournal<WebhookEvent>>;
  timeoutMs: number;
  maxBackoffMs: number;
  maxAgeMs: number;
  /** Tests inject; default global fetch. */
  fetch?: typeof fetch;
}

const OWNER = "webhooks";
const FIRST_RETRY_MS = 1000;

class Receiver {
  private busy = false;
  private attempt = 0;
  private timer: TimerHandle | undefined;
  stopped = false;

  constructor(
    readonly target: WebhookTarget,
    readonly journal: EventJournal<WebhookEvent>,
    private readonly deps: WebhookDeps,
  ) {}

  wants(event: string): boolean {
    return this.target.events.length === 0 || this.target.events.includes(event);
  }

  /** Delivers the oldest pending event, then the next; one in flight keeps them in order. */
  kick(): void {
    if (this.busy || this.stopped || this.timer) return;
    const next = this.journal.pending(0, 1)[0];
    if (!next) return;
    const { clock, logger } = this.deps;
    if (clock.now() - next.item.at > this.deps.maxAgeMs) {
      logger.warn(
        { url: redact(this.target.url), id: next.item.id, event: next.item.event },
        "webhook event dropped: not accepted within http.webhookMaxAgeHours",
      );
      this.journal.ack(next.seq);
      this.attempt = 0;
      return this.kick();
    }
    this.busy = true;
    void this.post(next.item).then((ok) => {
      this.busy = false;
      if (ok) {
        this.journal.ack(next.seq);
        this.attempt = 0;
        return this.kick();
      }
      // Exponential backoff with jitter, so that many gateways do not retry in step.
      const delay =
        Math.min(this.deps.maxBackoffMs, FIRST_RETRY_MS * 2 ** Math.min(this.attempt++, 20)) *
        (0.75 + Math.random() * 0.5);
      this.timer = clock.setTimer(delay, () => {
        this.timer = undefined;
        this.kick();
      });
    });
  }

  private async post(e: WebhookEvent): Promise<boolean> {
    const body = JSON.stringify(e);
    const doFetch = this.deps.fetch ?? fetch;
    try {
      const res = await doFetch(this.target.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "duegate-webhook",
          "x-duegate-event": e.event,
          "x-duegate-event-id": e.id,
          [SIGNATURE_HEADER]: sign(this.target.secret, body, Math.floor(this.deps.clock.now() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(this.deps.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return true;
      this.deps.logger.warn(
        { url: redact(this.target.url), status: res.status, attempt: this.attempt + 1 },
        "webhook refused; will retry",
      );
      return false;
    } catch (err) {
      this.deps.logger.warn(
        { url: redact(this.target.url), err: errorMessage(err), attempt: this.attempt + 1 },
        "webhook not delivered; will retry",
      );
      return false;
    }
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
    this.timer = undefined;
  }
}

export class WebhookDispatcher implements Service {
  readonly name = "webhooks";
  private receivers: Receiver[] = [];

  constructor(private readonly deps: WebhookDeps) {}

  async start(): Promise<void> {
    const { deps } = this;
    this.receivers = await Promise.all(
      deps.targets.map(async (t, i) => new Receiver(t, await deps.openJournal(i, t), deps)),
    );
    if (this.receivers.length === 0) return;
    deps.bus.onAny(OWNER, (event, payload) => {
      const topic = eventTopic(event, payload);
      if (!topic) return;
      const item: WebhookEvent = {
        id: newId("evt"),
        event,
        topic,
        gatewayId: deps.gatewayId,
        at: deps.clock.now(),
        data: payload,
      };
      for (const r of this.receivers) {
        if (!r.wants(event)) continue;
        r.journal.append(item);
        r.kick();
      }
    });
    // Whatever was pending at the last stop goes first.
    for (const r of this.receivers) r.kick();
  }

  /** Events waiting per receiver (metrics, panel). */
  backlog(): Array<{ url: string; pending: number }> {
    return this.receivers.map((r) => ({ url: redact(r.target.url), pending: r.journal.size }));
  }

  async stop(): Promise<void> {
    this.deps.bus.removeAll(OWNER);
    for (const r of this.receivers) r.stop();
    await Promise.all(this.receivers.map((r) => r.journal.close()));
    this.receivers = [];
  }
}

/** A URL without credentials or query (tokens live there), for logs. */
function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return "(unparsable url)";
  }
}
