import { describe, expect, it } from "vitest";
import { EventBus } from "../../src/core/bus.js";
import type { DomainEvents, MessageStateEvent, ModemHealthEvent } from "../../src/api/events.js";
import { createMetrics, type OutboxStats } from "../../src/metrics/index.js";

const zeroStats: OutboxStats = {
  queued: 0,
  sending: 0,
  submitted: 0,
  deliveredToday: 0,
  failedToday: 0,
  sentToday: 0,
  partsToday: 0,
  partsThisMonth: 0,
};

function setup() {
  const bus = new EventBus<DomainEvents>((e) => {
    throw e.error;
  });
  const stats: OutboxStats = {
    queued: 4,
    sending: 1,
    submitted: 2,
    deliveredToday: 7,
    failedToday: 1,
    sentToday: 9,
    partsToday: 12,
    partsThisMonth: 340,
  };
  let health: ModemHealthEvent = {
    state: "ready",
    signal: { rssi: 18, bars: 3, dbm: -77 },
    registration: "home",
    at: 0,
  };
  const metrics = createMetrics({
    bus,
    outbox: { stats: () => stats },
    modem: { health: () => health },
    version: "1.2.3",
    config: { gateway: { id: "pi-cupboard" } },
  });
  return { bus, stats, metrics, setHealth: (h: ModemHealthEvent) => (health = h) };
}

const msg = (id: string, state: MessageStateEvent["state"], at: number, parts = 1): MessageStateEvent => ({
  id,
  idempotencyKey: `k-${id}`,
  state,
  to: "+4917612345678",
  origin: { kind: "dunning" },
  parts,
  at,
});

function value(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("createMetrics", () => {
  it("reads queue depth and the modem's signal and registration at scrape time", async () => {
    const { metrics, stats, setHealth } = setup();
    let text = await metrics.metricsText();
    expect(value(text, "duegate_queue_depth")).toBe(5);
    expect(value(text, 'duegate_outbox_messages{state="submitted"}')).toBe(2);
    expect(value(text, "duegate_parts_this_month")).toBe(340);
    expect(value(text, "duegate_modem_up")).toBe(1);
    expect(value(text, 'duegate_modem_signal_rssi{modem="modem"}')).toBe(18);
    expect(value(text, 'duegate_modem_signal_dbm{modem="modem"}')).toBe(-77);
    expect(value(text, 'duegate_modem_registration{registration="home"}')).toBe(1);
    expect(value(text, 'duegate_modem_registration{registration="roaming"}')).toBe(0);
    expect(value(text, 'duegate_info{version="1.2.3",gateway="pi-cupboard"}')).toBe(1);

    stats.queued = 0;
    setHealth({ state: "recovering", signal: { rssi: 99, bars: 0 }, registration: "searching", at: 1 });
    text = await metrics.metricsText();
    expect(value(text, "duegate_queue_depth")).toBe(1);
    expect(value(text, "duegate_modem_up")).toBe(0);
    expect(value(text, 'duegate_modem_state{state="recovering"}')).toBe(1);
    // rssi 99 means "not known" (3GPP TS 27.007 8.5): no sample rather than a false value.
    expect(text).not.toMatch(/^duegate_modem_signal_(rssi|dbm)\{/m);
    expect(value(text, 'duegate_modem_signal_bars{modem="modem"}')).toBe(0);
    expect(value(text, 'duegate_modem_registration{registration="searching"}')).toBe(1);
    metrics.stop();
  });

  it("labels every per-modem series of a pool with the modem's id", async () => {
    const bus = new EventBus<DomainEvents>();
    const at = 0;
    const metrics = createMetrics({
      bus,
      outbox: {
        stats: () => ({ ...zeroStats }),
        simStatus: () => [
          { id: "sim1", inRotation: true, partsToday: 3, partsThisMonth: 30, limits: { perDay: 400, perMonth: 9000 } },
          { id: "sim2", inRotation: false, partsToday: 0, partsThisMonth: 5, limits: { perDay: 200, perMonth: 4000 } },
        ],
      },
      modem: {
        health: () => ({ state: "ready", at }),
        healthByModem: () => [
          { id: "sim1", health: { state: "ready", signal: { rssi: 20, bars: 4, dbm: -73 }, at } },
          { id: "sim2", health: { state: "degraded", signal: { rssi: 8, bars: 1, dbm: -97 }, at } },
        ],
      },
    });
    const text = await metrics.metricsText();
    expect(value(text, 'duegate_modem_signal_dbm{modem="sim1"}')).toBe(-73);
    expect(value(text, 'duegate_modem_signal_dbm{modem="sim2"}')).toBe(-97);
    expect(value(text, 'duegate_modem_signal_bars{modem="sim2"}')).toBe(1);
    expect(value(text, 'duegate_sim_in_rotation{modem="sim2"}')).toBe(0);
    expect(value(text, 'duegate_pool_modem_up{modem="sim2"}')).toBe(0);
    // No series of a modem gauge goes without the id of its modem.
    const perModem = text
      .split("\n")
      .filter((l) => /^duegate_(sim_|pool_modem_|modem_signal_)\w+[{ ]/.test(l) && !l.startsWith("#"));
    expect(perModem.length).toBeGreaterThanOrEqual(14);
    for (const line of perModem) expect(line).toMatch(/\{modem="sim[12]"\}/);
    metrics.stop();
  });

  it("counts state changes and parts, and times sending to submitted", async () => {
    const { bus, metrics } = setup();
    bus.emit("message.state", msg("a", "queued", 0));
    bus.emit("message.state", msg("a", "sending", 10_000));
    bus.emit("message.state", msg("a", "submitted", 12_500, 2));
    bus.emit("message.state", msg("b", "sending", 20_000));
    bus.emit("message.state", msg("b", "submitted", 60_000, 3));
    bus.emit("message.state", msg("c", "sending", 0));
    bus.emit("message.state", msg("c", "failed", 1000));
    bus.emit("message.state", msg("d", "submitted", 5000)); // its `sending` was before start: no duration
    const text = await metrics.metricsText();
    expect(value(text, 'duegate_messages_total{state="sending"}')).toBe(3);
    expect(value(text, 'duegate_messages_total{state="submitted"}')).toBe(3);
    expect(value(text, 'duegate_messages_total{state="delivered"}')).toBe(0);
    expect(value(text, "duegate_parts_sent_total")).toBe(6);
    expect(value(text, "duegate_send_duration_seconds_count")).toBe(2);
    expect(value(text, "duegate_send_duration_seconds_sum")).toBe(42.5);
    expect(value(text, 'duegate_send_duration_seconds_bucket{le="3"}')).toBe(1);
    expect(value(text, 'duegate_send_duration_seconds_bucket{le="60"}')).toBe(2);
    expect(text).not.toContain("4917612345678");
    metrics.stop();
  });

  it("counts inbound SMS, keywords, opt-outs and input errors, with bounded labels", async () => {
    const { bus, metrics } = setup();
    bus.emit("inbound.received", {
      id: "i1",
      from: "+4917612345678",
      text: "BALANCE",
      receivedAt: 0,
      accountIds: [],
      incomplete: false,
    });
    bus.emit("inbound.received", {
      id: "i2",
      from: "+4917612345678",
      text: "PAI",
      receivedAt: 0,
      accountIds: [],
      incomplete: true,
    });
    bus.emit("keyword.action", { inboundId: "i1", keyword: "balance", from: "+4917612345678", accountIds: [], at: 0 });
    bus.emit("account.optout", { accountId: "A1", optedOut: true, source: "sms", at: 0 });
    for (let i = 0; i < 100; i++)
      bus.emit("input.error", { source: "mqtt", where: "duegate/x/ingest", code: `code-${i}`, message: "bad", at: 0 });
    const text = await metrics.metricsText();
    expect(value(text, 'duegate_inbound_total{complete="true"}')).toBe(1);
    expect(value(text, 'duegate_inbound_total{complete="false"}')).toBe(1);
    expect(value(text, 'duegate_keywords_total{keyword="balance"}')).toBe(1);
    expect(value(text, 'duegate_optout_changes_total{direction="out",source="sms"}')).toBe(1);
    expect(value(text, 'duegate_input_errors_total{source="mqtt",code="code-0"}')).toBe(1);
    expect(value(text, 'duegate_input_errors_total{source="other",code="other"}')).toBe(36);
    expect(text.split("\n").filter((l) => l.startsWith("duegate_input_errors_total{")).length).toBe(65);
    expect(text).not.toContain("4917612345678");
    metrics.stop();
  });

  it("includes process metrics and stops listening when stopped", async () => {
    const { bus, metrics } = setup();
    const text = await metrics.metricsText();
    expect(text).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds /m);
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    metrics.stop();
    bus.emit("message.state", msg("z", "queued", 0));
    expect(await metrics.registry.metrics()).toBe("\n");
  });

  it("still answers a scrape when a service throws", async () => {
    const bus = new EventBus<DomainEvents>();
    const metrics = createMetrics({
      bus,
      outbox: {
        stats: () => {
          throw new Error("closing");
        },
      },
      modem: {
        health: () => {
          throw new Error("closing");
        },
      },
    });
    const text = await metrics.metricsText();
    expect(value(text, "duegate_modem_up")).toBe(0);
    expect(value(text, "duegate_queue_depth")).toBeNaN();
    metrics.stop();
  });
});
