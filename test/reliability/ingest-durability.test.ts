/**
 * Found by the crash suite: a send request acknowledged over MQTT was lost after a kill -9.
 * Queue.admit (src/outbox/queue.ts:149) writes the idempotency key log and the message record
 * side by side; a kill between the two leaves a key whose record never reached the disk. The
 * broker redelivers the request (no PUBACK was sent), and Outbox.enqueue (src/outbox/index.ts:
 * 286, findByKey) refuses it as a duplicate of a message "no longer in the history": the
 * bridge acknowledges the refusal and the reminder is gone. This test builds that state
 * (the record file removed, the key line kept) and sends the request again.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { Outbox } from "../../src/outbox/index.js";
import { Priority } from "../../src/outbox/types.js";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";

async function open(dataDir: string): Promise<Outbox> {
  const c = validateConfig({ gateway: { dataDir } });
  return Outbox.open({
    dataDir,
    clock: new ManualClock(Date.UTC(2026, 0, 5, 10)),
    bus: new EventBus<DomainEvents>(),
    logger: silentLogger(),
    config: c.outbox,
    storage: c.storage,
    modemConfig: c.modem,
    gateway: c.gateway,
    sender: { ready: false, sendPart: () => Promise.reject(new Error("not used")) },
  });
}

const request = {
  idempotencyKey: "send:m106",
  to: "+4915120000106",
  text: "Reminder #m106",
  priority: Priority.direct,
  origin: { kind: "api" as const, requestedBy: "mqtt" },
};

describe("a send request whose record did not reach the disk before a kill", () => {
  it("is stored when the broker redelivers it (bug: src/outbox/queue.ts:149 writes key and record side by side)", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "duegate-rel-ingest-"));
    try {
      const first = await open(dataDir);
      const { message } = await first.enqueue(request);
      await first.stop();
      // The state a kill -9 left in the crash suite: the key line written, the record not (it
      // was the only record: the journal without it is an empty one).
      const active = join(dataDir, "outbox", "active");
      expect(message.id).toBeTruthy();
      for (const f of readdirSync(active)) rmSync(join(active, f));

      const second = await open(dataDir);
      const again = await second.enqueue(request).catch((e: unknown) => e);
      await second.stop();
      expect(again).toMatchObject({ status: "queued" });
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
