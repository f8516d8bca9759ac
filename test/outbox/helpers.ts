import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import type { DomainEvents, MessageStateEvent } from "../../src/api/events.js";
import { OutboxSection } from "../../src/config/sections/outbox.js";
import type { Config } from "../../src/config/schema.js";
import {
  Outbox,
  Priority,
  type ConsentCheck,
  type EnqueueRequest,
  type PartSender,
  type SimLane,
} from "../../src/outbox/index.js";

export function outboxDefaults(): Config["outbox"] {
  return Value.Default(OutboxSection, {}) as Config["outbox"];
}

type Behaviour = "ok" | Error | ((n: number) => "ok" | Error);

/** A modem stand-in: records each part, answers with wrapping TP-MRs, fails on request. */
export class FakeSender implements PartSender {
  ready = true;
  sent: Array<{ pdu: string; reference: number; at: number }> = [];
  calls = 0;
  nextRef = 0;
  behaviour: Behaviour = "ok";
  /** While set, sendPart waits for release() (a part "in flight"). */
  hold = false;
  private waiting: Array<() => void> = [];

  constructor(private readonly clock: ManualClock) {}

  async sendPart(part: { pdu: string; tpduLength: number }): Promise<{ reference: number }> {
    this.calls++;
    if (this.hold) await new Promise<void>((r) => this.waiting.push(r));
    const b = typeof this.behaviour === "function" ? this.behaviour(this.calls) : this.behaviour;
    if (b !== "ok") throw b;
    const reference = this.nextRef;
    this.nextRef = (this.nextRef + 1) % 256;
    this.sent.push({ pdu: part.pdu, reference, at: this.clock.now() });
    return { reference };
  }

  release(): void {
    const w = this.waiting;
    this.waiting = [];
    for (const r of w) r();
  }
}

export const cms = (code: number, temporary: boolean): DuegateError =>
  new DuegateError(ErrorCode.ModemCmsError, `+CMS ERROR: ${code}`, {
    cms: code,
    temporary,
    reason: temporary ? "network out of order" : "call barred",
  });

export interface Rig {
  outbox: Outbox;
  clock: ManualClock;
  sender: FakeSender;
  events: MessageStateEvent[];
  dataDir: string;
  config: Config["outbox"];
  reopen(): Promise<Outbox>;
}

export async function rig(
  opts: {
    start?: number;
    config?: (c: Config["outbox"]) => void;
    statusReports?: boolean;
    dataDir?: string;
    clock?: ManualClock;
    sender?: FakeSender;
    bus?: EventBus<DomainEvents>;
    consent?: ConsentCheck;
    lanes?: SimLane[];
  } = {},
): Promise<Rig> {
  // Tuesday 2026-03-10 10:00 Berlin (09:00Z): inside the default window.
  const clock = opts.clock ?? new ManualClock(opts.start ?? Date.UTC(2026, 2, 10, 9, 0));
  const sender = opts.sender ?? new FakeSender(clock);
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "duegate-outbox-")));
  const config = outboxDefaults();
  opts.config?.(config);
  const bus = opts.bus ?? new EventBus<DomainEvents>();
  const events: MessageStateEvent[] = [];
  bus.on("message.state", "test", (e) => void events.push(e));
  const open = (): Promise<Outbox> =>
    Outbox.open({
      dataDir,
      clock,
      bus,
      logger: silentLogger(),
      config,
      modemConfig: {
        statusReports: opts.statusReports ?? true,
        validityMinutes: 1440,
        smsc: "",
        concatReference: 8,
        transliterate: true,
      },
      gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin" },
      sender,
      storage: { flushIntervalMs: 20 },
      random: () => 0.5,
      ...(opts.consent ? { consent: opts.consent } : {}),
      ...(opts.lanes ? { lanes: opts.lanes } : {}),
    });
  const outbox = await open();
  return { outbox, clock, sender, events, dataDir, config, reopen: open };
}

let seq = 0;
export function reminder(over: Partial<EnqueueRequest> = {}): EnqueueRequest {
  seq++;
  return {
    idempotencyKey: `inv-${seq}:step-1`,
    to: "+4917612345678",
    text: "Your invoice is due. Please pay.",
    priority: Priority.reminder,
    origin: { kind: "dunning", accountId: `acc-${seq}`, invoiceIds: [`inv-${seq}`], step: "first", policyVersion: 1 },
    ...over,
  };
}

/** Lets the loop run at the current instant until cond holds (bounded: 10 s of real time). */
export async function until(clock: ManualClock, cond: () => boolean, what = "condition"): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await clock.advance(0);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Lets the send loop run: a few rounds of timers and microtasks at the current time. */
export async function settle(clock: ManualClock, rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await clock.advance(0);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A test's rig let go: a held send released, the outbox stopped. */
export async function disposeRig(r: Rig | undefined): Promise<void> {
  if (!r) return;
  r.sender.hold = false;
  r.sender.release();
  await r.outbox.stop();
}
