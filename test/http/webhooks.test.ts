import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WebhookDispatcher, type WebhookEvent } from "../../src/http/webhooks/dispatcher.js";
import { sign, verify } from "../../src/http/webhooks/sign.js";
import { FileJournal } from "../../src/store/event-journal.js";
import { EventBus } from "../../src/core/bus.js";
import { systemClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { waitFor } from "../bridge/helpers/mosquitto.js";

const SECRET = "whsec_test";
let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A receiver that refuses the first `failFirst` requests with 503. */
async function receiver(failFirst: number) {
  const got: Array<{ body: WebhookEvent; signed: boolean }> = [];
  let calls = 0;
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c: Buffer) => (raw += c.toString()));
    req.on("end", () => {
      calls++;
      if (calls <= failFirst) return void res.writeHead(503).end();
      got.push({
        body: JSON.parse(raw) as WebhookEvent,
        signed: verify(SECRET, raw, String(req.headers["x-duegate-signature"]), Math.floor(Date.now() / 1000)),
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", () => r()));
  const a = server.address();
  return { url: `http://127.0.0.1:${typeof a === "object" && a ? a.port : 0}/hook?token=abc`, got, calls: () => calls };
}

function dispatcher(url: string, dir: string, bus: EventBus<DomainEvents>, events: string[] = []) {
  return new WebhookDispatcher({
    bus,
    clock: systemClock,
    logger: silentLogger(),
    gatewayId: "gw1",
    targets: [{ url, secret: SECRET, events }],
    openJournal: (i) =>
      FileJournal.open<WebhookEvent>(join(dir, `webhook-${i}.jsonl`), {
        clock: systemClock,
        logger: silentLogger(),
        coalesceMs: 10,
      }),
    timeoutMs: 2000,
    maxBackoffMs: 1500,
    maxAgeMs: 3_600_000,
  });
}

const state = (n: number) => ({
  id: `m${n}`,
  idempotencyKey: `k${n}`,
  state: "delivered" as const,
  to: "+4917600000000",
  origin: { kind: "test" },
  parts: 1,
  at: n,
});

describe("webhooks", () => {
  it("delivers every event signed, in order, retrying a receiver that is down", async () => {
    const r = await receiver(2);
    const bus = new EventBus<DomainEvents>();
    const d = dispatcher(r.url, mkdtempSync(join(tmpdir(), "wh-")), bus);
    await d.start();
    for (let n = 1; n <= 5; n++) bus.emit("message.state", state(n));
    bus.emit("ledger.changed", { kind: "invoice", id: "I1", accountId: "A1", at: 1 }); // not a published event
    await waitFor("5 deliveries", () => r.got.length === 5, 15_000);
    expect(r.got.map((g) => (g.body.data as { at: number }).at)).toEqual([1, 2, 3, 4, 5]);
    expect(r.got.every((g) => g.signed)).toBe(true);
    expect(r.got[0]!.body).toMatchObject({ event: "message.state", topic: "message/state", gatewayId: "gw1" });
    expect(new Set(r.got.map((g) => g.body.id)).size).toBe(5);
    expect(r.calls()).toBe(7);
    await d.stop();
  }, 20_000);

  it("keeps undelivered events across a restart and sends them first", async () => {
    const dir = mkdtempSync(join(tmpdir(), "wh-"));
    const bus = new EventBus<DomainEvents>();
    const first = dispatcher("http://127.0.0.1:9/nothing-listens", dir, bus, ["message.state"]);
    await first.start();
    bus.emit("message.state", state(1));
    bus.emit("message.state", state(2));
    await first.stop();
    const r = await receiver(0);
    const second = dispatcher(r.url, dir, bus, ["message.state"]);
    await second.start();
    bus.emit("message.state", state(3));
    await waitFor("3 deliveries", () => r.got.length === 3, 10_000);
    expect(r.got.map((g) => (g.body.data as { at: number }).at)).toEqual([1, 2, 3]);
    await second.stop();
  }, 20_000);

  it("refuses a signature made with another secret or too old", () => {
    const body = '{"a":1}';
    const now = 1_800_000_000;
    const header = `t=${now},v1=${"0".repeat(64)}`;
    expect(verify(SECRET, body, header, now)).toBe(false);
    expect(verify(SECRET, body, sign(SECRET, body, now), now + 10)).toBe(true);
    expect(verify("other", body, sign(SECRET, body, now), now)).toBe(false);
    expect(verify(SECRET, body, sign(SECRET, body, now - 3600), now)).toBe(false);
  });
});
