/**
 * A send the suppression list refused (src/consent), at admission or right before a part:
 * logged with the number masked and published as message.refused, the same way from both.
 */
import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents } from "../api/events.js";
import { maskNumber } from "../core/mask.js";
import type { OutboxMessage } from "./types.js";
import { eventOrigin } from "./event-origin.js";

export type RefusalStage = "admission" | "before-send";

export type RefusedSend = Pick<OutboxMessage, "idempotencyKey" | "to" | "origin"> & { id?: string };

export type RefusalNotice = (m: RefusedSend, reason: string, stage: RefusalStage) => void;

export function refusalNotice(d: { bus: EventBus<DomainEvents>; logger: Logger; clock: Clock }): RefusalNotice {
  return (m, reason, stage) => {
    d.logger.info(
      { id: m.id, idempotencyKey: m.idempotencyKey, to: maskNumber(m.to), origin: m.origin.kind, stage },
      "outbox: refused, the number opted out",
    );
    d.bus.emit("message.refused", {
      idempotencyKey: m.idempotencyKey,
      ...(m.id ? { id: m.id } : {}),
      to: m.to,
      origin: eventOrigin(m.origin),
      reason: `refused: ${reason}`,
      stage,
      at: d.clock.now(),
    });
  };
}
