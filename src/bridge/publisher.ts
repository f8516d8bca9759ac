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
import type { EventJournal } from "./ports.js";

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

export class EventPublisher {
  private lastHandedOver = 0;
  private inflight = 0;
  private stopped = true;

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
    },
  ) {}

  start(): void {
    this.stopped = false;
    this.deps.bus.onAny(OWNER, (event, payload) => {
      const topic = eventTopic(event, payload);
      if (!topic) return;
      this.deps.journal.append({ topic, payload: { eventId: newId("evt"), event, ...(payload as object) } });
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
        else if (!this.stopped) logger.warn({ topic: item.topic, err: e.message }, "event not acknowledged by the broker; kept for the next start");
        this.pump();
      });
    }
  }

  get backlog(): number {
    return this.deps.journal.size;
  }

  stop(): void {
    this.stopped = true;
    this.deps.bus.removeAll(OWNER);
  }
}
