import { describe, expect, it } from "vitest";
import { EventPublisher, ERROR_EVENTS, type OutgoingEvent } from "../../src/bridge/publisher.js";
import { MemoryJournal } from "../../src/store/event-journal.js";
import { EventBus } from "../../src/core/bus.js";
import type { DomainEvents } from "../../src/api/events.js";
import { silentLogger } from "../../src/core/log.js";

describe("error events published at a bounded rate", () => {
  it("publishes a burst, then so many a second, and tells the next one how many were left out", () => {
    let now = 1_000_000;
    const bus = new EventBus<DomainEvents>();
    const journal = new MemoryJournal<OutgoingEvent>();
    const publisher = new EventPublisher({
      bus,
      journal,
      link: { connected: false, publish: () => undefined },
      prefix: "duegate/gw1/",
      maxInflight: 10,
      logger: silentLogger(),
      now: () => now,
    });
    publisher.start();
    const bad = (i: number) =>
      bus.emit("input.error", {
        source: "mqtt",
        where: "duegate/gw1/error",
        field: "",
        code: "api.unknown_topic",
        message: `bad ${i}`,
        at: now,
      });
    for (let i = 0; i < 10_000; i++) bad(i);
    expect(journal.size).toBe(ERROR_EVENTS.burst);
    expect(publisher.suppressedTotal).toBe(10_000 - ERROR_EVENTS.burst);
    now += 1000;
    for (let i = 0; i < 100; i++) bad(i);
    expect(journal.size).toBe(ERROR_EVENTS.burst + ERROR_EVENTS.perSecond);
    const first = journal.pending().at(ERROR_EVENTS.burst)!.item.payload;
    expect(first).toMatchObject({ event: "input.error", suppressed: 10_000 - ERROR_EVENTS.burst });
    // Other events are not limited.
    for (let i = 0; i < 100; i++)
      bus.emit("account.optout", { accountId: `A${i}`, optedOut: true, source: "sms", at: now } as never);
    expect(journal.size).toBe(ERROR_EVENTS.burst + ERROR_EVENTS.perSecond + 100);
  });
});
