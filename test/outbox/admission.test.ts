/**
 * Admission alone (src/outbox/admission.ts) over a real store in a temporary directory: one
 * baseMessage builds what an SMS and an e-mail share, so both channels carry the same expiry,
 * zones, locale, limit class and timing for the same request and account.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import type { DomainEvents } from "../../src/api/events.js";
import { fileStorage } from "../../src/store/index.js";
import { Queue } from "../../src/outbox/queue.js";
import { Admission } from "../../src/outbox/admission.js";
import { ReplyFirst } from "../../src/outbox/reply-first.js";
import { Priority, type EnqueueRequest, type OutboxMessage } from "../../src/outbox/index.js";
import { outboxDefaults } from "./helpers.js";

const START = Date.UTC(2026, 2, 10, 9, 0);
let dir: string;
let queue: Queue | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "duegate-admission-"));
});
afterEach(async () => {
  await queue?.close();
  queue = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function admission(emailEnabled = true): Promise<Admission> {
  const clock = new ManualClock(START);
  const logger = silentLogger();
  const config = outboxDefaults();
  queue = await Queue.open({
    store: fileStorage({ dataDir: dir, clock, logger, flushIntervalMs: 10 }),
    clock,
    bus: new EventBus<DomainEvents>(),
    logger,
    recentDays: 7,
    limitsConfig: config.limits,
    zone: "Europe/Berlin",
  });
  return new Admission({
    queue,
    clock,
    logger,
    config,
    modemConfig: { concatReference: 8, transliterate: true },
    gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin", defaultLocale: "de-DE" },
    // The account says where its holder lives: both channels must take it.
    recipients: {
      account: (id) => (id === "acc-pt" ? { locale: "pt-PT", timeZone: "Europe/Lisbon" } : undefined),
      accountsByNumber: () => [],
    },
    emailEnabled,
    refused: () => undefined,
    replyFirst: new ReplyFirst({ clock, holdMs: () => 300, lanes: () => [], stickyLaneId: () => undefined }),
    wake: () => undefined,
  });
}

const request = (over: Partial<EnqueueRequest>): EnqueueRequest => ({
  idempotencyKey: "k",
  to: "+4917612345678",
  text: "Your invoice is due.",
  priority: Priority.reminder,
  origin: { kind: "dunning", accountId: "acc-pt", invoiceIds: ["inv-1"], step: "first", policyVersion: 1 },
  notBefore: START + 60_000,
  ...over,
});

const shared = (m: OutboxMessage) => ({
  text: m.text,
  priority: m.priority,
  origin: m.origin,
  notBefore: m.notBefore,
  expiresAt: m.expiresAt,
  timeZones: m.timeZones,
  locale: m.locale,
  limitClass: m.limitClass,
  state: m.state,
  createdAt: m.createdAt,
  history: m.history,
});

describe("admission builds a message once for either channel", () => {
  it("gives an SMS and an e-mail of the same request the same shared fields, from the account's context", async () => {
    const a = await admission();
    const sms = await a.enqueue(request({ idempotencyKey: "inv-1:first" }));
    const mail = await a.enqueue(
      request({
        idempotencyKey: "inv-1:first:email",
        channel: "email",
        to: "debtor@example.org",
        email: { subject: "Invoice inv-1", html: "<p>Your invoice is due.</p>" },
      }),
    );
    expect(shared(mail.message)).toEqual(shared(sms.message));
    expect(sms.message.timeZones).toEqual(["Europe/Lisbon"]);
    expect(sms.message.locale).toBe("pt-PT");
    expect(sms.message.expiresAt).toBe(START + outboxDefaults().reminderExpiryHours * 3_600_000);
    // What differs is the channel's own part.
    expect([sms.message.channel, sms.message.encoding]).toEqual([undefined, "gsm7"]);
    expect([mail.message.channel, mail.message.encoding, mail.message.partCount]).toEqual(["email", "mime", 1]);
  });

  it("lets the request's own zones and locale win over the account on both channels, and classes replies alike", async () => {
    const a = await admission();
    const given = {
      timeZones: ["America/New_York", "America/New_York"],
      locale: "en-US",
      priority: Priority.reply,
      origin: { kind: "keyword-reply" as const, inboundId: "in-1", keyword: "balance", accountIds: ["acc-pt"] },
    };
    const sms = await a.enqueue(request({ idempotencyKey: "r1", ...given }));
    const mail = await a.enqueue(
      request({
        idempotencyKey: "r2",
        ...given,
        channel: "email",
        to: "debtor@example.org",
        email: { subject: "Balance", html: "" },
      }),
    );
    for (const m of [sms.message, mail.message]) {
      expect(m.timeZones).toEqual(["America/New_York"]);
      expect(m.locale).toBe("en-US");
      expect(m.limitClass).toBe("reply");
    }
  });

  it("refuses an unknown time zone on either channel, naming the field", async () => {
    const a = await admission();
    for (const over of [
      {},
      { channel: "email" as const, to: "debtor@example.org", email: { subject: "S", html: "" } },
    ]) {
      const e = await a
        .enqueue(request({ idempotencyKey: `z-${over.channel ?? "sms"}`, timeZones: ["Mars/Olympus"], ...over }))
        .catch((err: unknown) => err);
      expect(e).toBeInstanceOf(DuegateError);
      expect((e as DuegateError).code).toBe(ErrorCode.Validation);
      expect((e as DuegateError).context.field).toBe("timeZones");
    }
  });

  it("refuses an e-mail when the outbox has no e-mail lane", async () => {
    const a = await admission(false);
    const e = await a
      .enqueue(request({ channel: "email", to: "debtor@example.org", email: { subject: "S", html: "" } }))
      .catch((err: unknown) => err);
    expect((e as DuegateError).code).toBe(ErrorCode.EmailNotConfigured);
  });
});
