/**
 * Bus events → MQTT topics. Each event is first appended to the journal, then published
 * at QoS 1 and acknowledged in the journal on PUBACK: while the broker is away, events
 * wait (on disk) and go out in their order after reconnect, also after a restart. At
 * least once: every payload carries an eventId for the receiver to drop duplicates.
 */
import { eventTopic } from "../api/topics.js";
import type { EventBus } from "../core/bus.js";
import type { DomainEvents } from "../api/events.js";
import { newId } from "../core/ids.js";
import type { Logger } from "../core/log.js";
import type { EventJournal } from "../service/index.js";
import { TokenBucket } from "./token-bucket.js";

export interface OutgoingEvent {
  /** Relative to <base>/<id>/. */
  topic: string;
  payload: Record<string, unknown>;
}

export interface PublishPort {
  readonly connected: boolean;
  publish(topic: string, payload: string, opts: { retain?: boolean; qos?: 0 | 1 }, cb: (error?: Error) => void): void;
}

const OWNER = "mqtt-publisher";
/** Error events published at most this often (burst, then per second); the rest are counted. */
export const ERROR_EVENTS = { burst: 20, perSecond: 5 };
/** How often the count of error events not published is logged, at most. */
const SUPPRESSED_LOG_MS = 60_000;

export class EventPublisher {
  private lastHandedOver = 0;
  private inflight = 0;
  private stopped = true;
  private errorBucket: TokenBucket | undefined;
  /** Error events not published since the last one that was (told in the next one as `suppressed`). */
  private suppressed = 0;
  /** All error events not published since start. */
  suppressedTotal = 0;
  private suppressedLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly deps: {
      bus: EventBus<DomainEvents>;
      journal: EventJournal<OutgoingEvent>;
      link: PublishPort;
      prefix: string;
      maxInflight: number;
      logger: Logger;
      /** False while nobody could receive the events (embedded broker, no subscriber yet): they wait in the journal. */
      deliverable?: () => boolean;
      /** The clock of the error-event rate limit (ms). */
      now?: () => number;
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.deps.bus.onAny(OWNER, (event, payload) => {
      const topic = eventTopic(event, payload);
      if (!topic) return;
      let extra = {};
      if (event === "input.error") {
        if (!this.allowError()) return;
        if (this.suppressed > 0) extra = { suppressed: this.suppressed };
        this.suppressed = 0;
      }
      this.deps.journal.append({ topic, payload: { eventId: newId("evt"), event, ...(payload as object), ...extra } });
      this.pump();
    });
  }

  /** After (re)connect: mqtt.js resends what it already had in flight; we go on after it. */
  pump(): void {
    const { journal, link, prefix, maxInflight, logger } = this.deps;
    if (this.stopped || !link.connected || this.deps.deliverable?.() === false) return;
    const room = maxInflight - this.inflight;
    if (room <= 0) return;
    for (const { seq, item } of journal.pending(this.lastHandedOver, room)) {
      this.lastHandedOver = seq;
      this.inflight++;
      link.publish(prefix + item.topic, JSON.stringify(item.payload), { qos: 1 }, (e) => {
        this.inflight--;
        if (!e) journal.ack(seq);
        // An error here means the client was ended with the message unacknowledged: it stays
        // in the journal and goes out again at the next start.
        else if (!this.stopped)
          logger.warn(
            { topic: item.topic, err: e.message },
            "event not acknowledged by the broker; kept for the next start",
          );
        this.pump();
      });
    }
  }

  private allowError(): boolean {
    const now = this.deps.now ?? Date.now;
    this.errorBucket ??= new TokenBucket(ERROR_EVENTS.perSecond, ERROR_EVENTS.burst, now);
    if (this.errorBucket.take()) return true;
    this.suppressed++;
    this.suppressedTotal++;
    if (now() - this.suppressedLoggedAt >= SUPPRESSED_LOG_MS) {
      this.suppressedLoggedAt = now();
      this.deps.logger.warn(
        { suppressedTotal: this.suppressedTotal },
        `error events arrive faster than ${ERROR_EVENTS.perSecond}/s; the excess is counted, not published`,
      );
    }
    return false;
  }

  get backlog(): number {
    return this.deps.journal.size;
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeAll(OWNER);
  }
}
