/**
 * Prometheus metrics (prom-client) for GET /metrics. Two sources:
 * - the event bus, for things that happen (message state changes, parts sent, inbound SMS,
 *   keywords, input errors, send durations from `sending` to `submitted`);
 * - the services' own figures, read when Prometheus scrapes (queue depth, modem signal and
 *   registration), so a scrape always shows the present and nothing polls between scrapes.
 * Labels are bounded sets (states, codes); never a phone number, an account or a message id.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { EventBus } from "../core/bus.js";
import { MESSAGE_STATES } from "../core/message-states.js";
import type { DomainEvents, ModemHealthEvent } from "../api/events.js";

/** Outbox.stats(), the outbox's own figures (src/outbox/figures.ts). */
export interface OutboxStats {
  queued: number;
  sending: number;
  submitted: number;
  deliveredToday: number;
  failedToday: number;
  sentToday: number;
  partsToday: number;
  partsThisMonth: number;
}

/** One SIM of the modem pool as the outbox counts it. */
export interface SimFigures {
  id: string;
  inRotation: boolean;
  partsToday: number;
  partsThisMonth: number;
  limits: { perDay: number; perMonth: number };
}

/** What metrics need of AppServices (src/app-services.ts satisfies it). */
export interface MetricsSources {
  readonly bus: EventBus<DomainEvents>;
  readonly outbox: { stats(): OutboxStats; simStatus?(): SimFigures[] };
  readonly modem: { health(): ModemHealthEvent; healthByModem?(): Array<{ id: string; health: ModemHealthEvent }> };
  readonly version?: string;
  readonly config?: { gateway: { id: string } };
}

export interface Metrics {
  readonly registry: Registry;
  readonly contentType: string;
  metricsText(): Promise<string>;
  stop(): void;
}

const OWNER = "metrics";
const MODEM_STATES: ModemHealthEvent["state"][] = ["starting", "ready", "degraded", "recovering", "offline"];
const REGISTRATIONS: NonNullable<ModemHealthEvent["registration"]>[] = [
  "home",
  "roaming",
  "searching",
  "denied",
  "unregistered",
  "unknown",
];
/** Messages whose `sending` we remember while waiting for `submitted`; beyond it the oldest is dropped. */
const MAX_IN_FLIGHT = 10_000;
/** Distinct (source, code) pairs of input errors before new ones are counted as "other". */
const MAX_ERROR_SERIES = 64;

export function createMetrics(services: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const { bus } = services;

  new Gauge({
    name: "duegate_info",
    help: "Always 1; the labels say which build runs where.",
    labelNames: ["version", "gateway"],
    registers: [registry],
  }).set({ version: services.version ?? "unknown", gateway: services.config?.gateway.id ?? "duegate" }, 1);

  const messages = new Counter({
    name: "duegate_messages_total",
    help: "Outbound message state changes since start, by new state.",
    labelNames: ["state"],
    registers: [registry],
  });
  for (const s of MESSAGE_STATES) messages.inc({ state: s }, 0);
  const parts = new Counter({
    name: "duegate_parts_sent_total",
    help: "SMS parts accepted by the network (+CMGS answered) since start.",
    registers: [registry],
  });
  const sendDuration = new Histogram({
    name: "duegate_send_duration_seconds",
    help: "Time from a message entering `sending` to `submitted` (all its parts accepted).",
    // One part takes 1 to 5 s on a good day; multipart messages and retries of a part take longer.
    buckets: [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120],
    registers: [registry],
  });
  const inbound = new Counter({
    name: "duegate_inbound_total",
    help: "Inbound SMS stored, by whether all parts arrived.",
    labelNames: ["complete"],
    registers: [registry],
  });
  const keywords = new Counter({
    name: "duegate_keywords_total",
    help: "Inbound keywords acted on.",
    labelNames: ["keyword"],
    registers: [registry],
  });
  const optouts = new Counter({
    name: "duegate_optout_changes_total",
    help: "Opt-out changes by direction and source.",
    labelNames: ["direction", "source"],
    registers: [registry],
  });
  const errors = new Counter({
    name: "duegate_input_errors_total",
    help: "Input refused at an edge (bad payload, modem line, config), by source and error code.",
    labelNames: ["source", "code"],
    registers: [registry],
  });

  const stats = (): OutboxStats | undefined => {
    try {
      return services.outbox.stats();
    } catch {
      return undefined; // a scrape must not fail because the outbox is closing
    }
  };
  const health = (): ModemHealthEvent | undefined => {
    try {
      return services.modem.health();
    } catch {
      return undefined;
    }
  };

  new Gauge({
    name: "duegate_outbox_messages",
    help: "Messages in the outbox now, by state.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const s = stats();
      if (!s) return;
      this.set({ state: "queued" }, s.queued);
      this.set({ state: "sending" }, s.sending);
      this.set({ state: "submitted" }, s.submitted);
    },
  });
  new Gauge({
    name: "duegate_queue_depth",
    help: "Messages waiting to be sent (queued + sending).",
    registers: [registry],
    collect() {
      // NaN, not a stale or zero depth, when the outbox cannot answer (closing).
      const s = stats();
      this.set(s ? s.queued + s.sending : Number.NaN);
    },
  });
  new Gauge({
    name: "duegate_parts_today",
    help: "Parts sent today (persisted by the outbox, survives restarts; for per-SIM daily caps).",
    registers: [registry],
    collect() {
      const s = stats();
      if (s) this.set(s.partsToday);
    },
  });
  new Gauge({
    name: "duegate_parts_this_month",
    help: "Parts sent this month (persisted by the outbox; for monthly SIM plans).",
    registers: [registry],
    collect() {
      const s = stats();
      if (s) this.set(s.partsThisMonth);
    },
  });
  // Per modem of the pool (label `modem`: the id in modems[], or "modem" for a single modem).
  const sims = (): SimFigures[] => {
    try {
      return services.outbox.simStatus?.() ?? [];
    } catch {
      return [];
    }
  };
  const perModem = (name: string, help: string, value: (s: SimFigures) => number): void => {
    new Gauge({
      name,
      help,
      labelNames: ["modem"],
      registers: [registry],
      collect() {
        for (const s of sims()) this.set({ modem: s.id }, value(s));
      },
    });
  };
  perModem(
    "duegate_sim_parts_today",
    "Parts sent today through this SIM (its daily limit is duegate_sim_parts_per_day_limit).",
    (s) => s.partsToday,
  );
  perModem("duegate_sim_parts_this_month", "Parts sent this month through this SIM.", (s) => s.partsThisMonth);
  perModem(
    "duegate_sim_parts_per_day_limit",
    "This SIM's daily part limit (modems[].limits.partsPerDay or outbox.limits.perSimPerDay).",
    (s) => s.limits.perDay,
  );
  perModem(
    "duegate_sim_in_rotation",
    "1 while this SIM is used, 0 while it is out of rotation (blocked, failing, no credit).",
    (s) => (s.inRotation ? 1 : 0),
  );
  new Gauge({
    name: "duegate_pool_modem_up",
    help: "Per modem of the pool: 1 when ready to send, else 0.",
    labelNames: ["modem"],
    registers: [registry],
    collect() {
      for (const m of services.modem.healthByModem?.() ?? [])
        this.set({ modem: m.id }, m.health.state === "ready" ? 1 : 0);
    },
  });
  new Gauge({
    name: "duegate_pool_modem_signal_bars",
    help: "Per modem of the pool: signal bars 0-4 (AT+CSQ), as the web panel shows them.",
    labelNames: ["modem"],
    registers: [registry],
    collect() {
      for (const m of services.modem.healthByModem?.() ?? [])
        if (m.health.signal) this.set({ modem: m.id }, m.health.signal.bars);
    },
  });
  new Gauge({
    name: "duegate_modem_up",
    help: "1 when the modem is ready to send, else 0.",
    registers: [registry],
    collect() {
      this.set(health()?.state === "ready" ? 1 : 0);
    },
  });
  new Gauge({
    name: "duegate_modem_state",
    help: "The modem's state: 1 for the current one, 0 for the others.",
    labelNames: ["state"],
    registers: [registry],
    collect() {
      const h = health();
      for (const s of MODEM_STATES) this.set({ state: s }, h?.state === s ? 1 : 0);
    },
  });
  new Gauge({
    name: "duegate_modem_registration",
    help: "Network registration (AT+CREG/CEREG): 1 for the current one, 0 for the others.",
    labelNames: ["registration"],
    registers: [registry],
    collect() {
      const r = health()?.registration ?? "unknown";
      for (const s of REGISTRATIONS) this.set({ registration: s }, r === s ? 1 : 0);
    },
  });
  // Every modem's health with its id: the pool's members, or the single modem as "modem" (SINGLE_MODEM_ID).
  const modemHealths = (): Array<{ id: string; health: ModemHealthEvent }> => {
    try {
      const all = services.modem.healthByModem?.();
      if (all) return all;
    } catch {
      return [];
    }
    const h = health();
    return h ? [{ id: "modem", health: h }] : [];
  };
  const signalGauge = (
    name: string,
    help: string,
    pick: (s: NonNullable<ModemHealthEvent["signal"]>) => number | undefined,
  ) =>
    new Gauge({
      name,
      help,
      // Labelled with the modem's id, as every per-modem series (docs/modems.md, "Figures per modem").
      labelNames: ["modem"],
      registers: [registry],
      collect() {
        // An unknown signal is absent from the scrape, not a misleading 0.
        this.reset();
        for (const m of modemHealths()) {
          const v = m.health.signal ? pick(m.health.signal) : undefined;
          if (v !== undefined && Number.isFinite(v)) this.set({ modem: m.id }, v);
        }
      },
    });
  // AT+CSQ <rssi>: 0..31, 99 = not known (3GPP TS 27.007 8.5).
  signalGauge("duegate_modem_signal_rssi", "Signal quality as AT+CSQ reports it (0-31).", (s) =>
    s.rssi >= 0 && s.rssi <= 31 ? s.rssi : undefined,
  );
  signalGauge("duegate_modem_signal_dbm", "Received signal strength in dBm.", (s) => s.dbm);
  signalGauge("duegate_modem_signal_bars", "Signal bars (0-4) as the web panel shows them.", (s) => s.bars);

  const sendingSince = new Map<string, number>();
  bus.on("message.state", OWNER, (e) => {
    if (MESSAGE_STATES.includes(e.state)) messages.inc({ state: e.state });
    if (e.state === "sending") {
      sendingSince.delete(e.id); // re-insert: Map order is the eviction order
      sendingSince.set(e.id, e.at);
      if (sendingSince.size > MAX_IN_FLIGHT) sendingSince.delete(sendingSince.keys().next().value as string);
      return;
    }
    if (e.state === "submitted") {
      parts.inc(Math.max(0, e.parts));
      const since = sendingSince.get(e.id);
      if (since !== undefined && e.at >= since) sendDuration.observe((e.at - since) / 1000);
    }
    sendingSince.delete(e.id);
  });
  bus.on("inbound.received", OWNER, (e) => inbound.inc({ complete: e.incomplete ? "false" : "true" }));
  bus.on("keyword.action", OWNER, (e) => keywords.inc({ keyword: e.keyword }));
  bus.on("account.optout", OWNER, (e) => optouts.inc({ direction: e.optedOut ? "out" : "in", source: e.source }));
  const errorSeries = new Set<string>();
  bus.on("input.error", OWNER, (e) => {
    let labels = { source: String(e.source), code: String(e.code) };
    const key = `${labels.source}\u0000${labels.code}`;
    if (!errorSeries.has(key)) {
      if (errorSeries.size >= MAX_ERROR_SERIES) labels = { source: "other", code: "other" };
      else errorSeries.add(key);
    }
    errors.inc(labels);
  });

  return {
    registry,
    contentType: registry.contentType,
    metricsText: () => registry.metrics(),
    stop() {
      bus.removeAll(OWNER);
      sendingSince.clear();
      registry.clear();
    },
  };
}
