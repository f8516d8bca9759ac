/**
 * The outbox's e-mail lane against a real SMTP server on loopback (smtp-server): what the relay
 * gets, temporary (451) and permanent (550) answers, a relay that vanishes mid-batch, and the
 * modem and the relay not waiting for each other.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents, MessageStateEvent } from "../../src/api/events.js";
import { EmailSection } from "../../src/config/sections/email.js";
import type { Config } from "../../src/config/schema.js";
import { Outbox, Priority, type ConsentCheck, type EnqueueRequest, type SimLane } from "../../src/outbox/index.js";
import { SmtpTransport } from "../../src/email/smtp-transport.js";
import { FakeSender, outboxDefaults, settle, until } from "../outbox/helpers.js";
import { startSmtp, type TestSmtp } from "./helpers/smtp.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function emailConfig(port: number): Config["email"] {
  const c = Value.Default(EmailSection, {}) as Config["email"];
  return {
    ...c,
    enabled: true,
    host: "127.0.0.1",
    port,
    secure: "none",
    from: "billing@example.com",
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
  };
}

async function emailRig(
  smtp: TestSmtp,
  opts: {
    dataDir?: string;
    clock?: ManualClock;
    sender?: FakeSender;
    inDoubt?: "fail" | "resend";
    consent?: ConsentCheck;
    lanes?: SimLane[];
  } = {},
) {
  const clock = opts.clock ?? new ManualClock(Date.UTC(2026, 2, 10, 9, 0)); // Tuesday 10:00 Berlin: window open
  const sender = opts.sender ?? new FakeSender(clock);
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "duegate-email-")));
  const bus = new EventBus<DomainEvents>();
  const events: MessageStateEvent[] = [];
  bus.on("message.state", "test", (e) => void events.push(e));
  const config = outboxDefaults();
  if (opts.inDoubt) config.inDoubt = opts.inDoubt;
  const transport = new SmtpTransport(emailConfig(smtp.port), "Muster GmbH");
  const outbox = await Outbox.open({
    dataDir,
    clock,
    bus,
    logger: silentLogger(),
    config,
    modemConfig: { statusReports: false, validityMinutes: 1440, smsc: "", concatReference: 8, transliterate: true },
    gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin" },
    sender,
    storage: { flushIntervalMs: 20 },
    random: () => 0.5,
    email: { transport, settings: { ratePerMinute: 1000, messageIdDomain: "example.com", gatewayId: "gw1" } },
    ...(opts.consent ? { consent: opts.consent } : {}),
    ...(opts.lanes ? { lanes: opts.lanes } : {}),
  });
  await outbox.start();
  cleanups.push(async () => {
    await outbox.stop();
    transport.close();
  });
  return { outbox, clock, sender, events, dataDir, config };
}

let seq = 0;
function mail(over: Partial<EnqueueRequest> = {}): EnqueueRequest {
  seq++;
  return {
    idempotencyKey: `inv-${seq}:step-1:email`,
    channel: "email",
    to: `debtor${seq}@example.org`,
    text: `Invoice ${seq} is due.`,
    email: {
      subject: `Reminder ${seq}`,
      html: `<p>Invoice ${seq} is due.</p>`,
      unsubscribe: { mailto: "billing@example.com?subject=unsubscribe", https: `https://panel.example.com/u/${seq}` },
    },
    priority: Priority.reminder,
    origin: { kind: "dunning", accountId: `acc-${seq}`, invoiceIds: [`inv-${seq}`], step: "first", policyVersion: 1 },
    ...over,
  };
}

describe("e-mail lane", () => {
  it("hands a mail to the relay once, with its Message-ID, subject, HTML and List-Unsubscribe", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const r = await emailRig(smtp);
    const res = await r.outbox.enqueue(mail({ to: "Jana@Example.ORG" }));
    expect(res.status).toBe("queued");
    await until(r.clock, () => smtp.received.length === 1 && r.events.some((e) => e.state === "submitted"), "the mail");
    const got = smtp.received[0]!;
    expect(got.to).toEqual(["Jana@example.org"]);
    expect(got.from).toBe("billing@example.com");
    expect(got.messageId).toBe(`<${res.message.id}.gw1@example.com>`);
    expect(got.subject).toMatch(/^Reminder \d+$/);
    expect(got.header("List-Unsubscribe")).toMatch(
      /^<https:\/\/panel\.example\.com\/u\/\d+>, <mailto:billing@example\.com\?subject=unsubscribe>$/,
    );
    expect(got.header("List-Unsubscribe-Post")).toBe("List-Unsubscribe=One-Click");
    expect(got.raw).toContain("text/html");
    expect(got.raw).toContain("text/plain");
    // A second enqueue with the same key sends nothing more.
    const again = await r.outbox.enqueue({ ...mail(), idempotencyKey: res.message.idempotencyKey });
    expect(again.status).toBe("duplicate");
    await settle(r.clock);
    expect(smtp.received).toHaveLength(1);
    const m = r.outbox.get(res.message.id)!;
    expect(m).toMatchObject({ channel: "email", state: "submitted", encoding: "mime" });
    expect(m.attempts.at(-1)?.reason).toMatch(/250.*queued as test/);
  });

  it("retries after a 451 with backoff and fails a 550 with the relay's answer", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    smtp.onRcpt = (address, n) =>
      address.startsWith("greylisted") && n === 1
        ? { code: 451, message: "4.7.1 Greylisted, try again later" }
        : address.startsWith("gone")
          ? { code: 550, message: "5.1.1 No such user here" }
          : "ok";
    const r = await emailRig(smtp);
    const grey = await r.outbox.enqueue(mail({ to: "greylisted@example.org" }));
    const gone = await r.outbox.enqueue(mail({ to: "gone@example.org" }));
    await until(
      r.clock,
      () => r.outbox.get(gone.message.id)?.state === "failed" && r.outbox.get(grey.message.id)?.attempts.length === 1,
      "the first answers",
    );
    const failed = r.outbox.get(gone.message.id)!;
    expect(failed.failureReason).toMatch(/550 5\.1\.1 No such user here/);
    expect(failed.attempts.map((a) => a.outcome)).toEqual(["permanent"]);
    const waiting = r.outbox.get(grey.message.id)!;
    expect(waiting.state).toBe("queued");
    expect(waiting.attempts[0]).toMatchObject({ outcome: "temporary", code: "email.temporary" });
    expect(waiting.attempts[0]!.reason).toMatch(/451 4\.7\.1 Greylisted/);
    expect(waiting.nextAttemptAt! - r.clock.now()).toBeGreaterThan(0);
    expect(smtp.received).toHaveLength(0);
    await r.clock.advance(waiting.nextAttemptAt! - r.clock.now());
    await until(
      r.clock,
      () => smtp.received.length === 1 && r.outbox.get(grey.message.id)?.state === "submitted",
      "the retry",
    );
    expect(smtp.received[0]!.to).toEqual(["greylisted@example.org"]);
  });

  it("a relay that vanishes mid-batch: every mail arrives, none twice", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    let data = 0;
    // The 6th mail's DATA: the relay drops every session and stops listening before answering.
    smtp.onData = () => (++data === 6 ? "vanish" : "ok");
    const r = await emailRig(smtp);
    const ids: string[] = [];
    for (const o of await r.outbox.enqueueMany(Array.from({ length: 20 }, () => mail())))
      if (o.status === "queued") ids.push(o.message.id);
    expect(ids).toHaveLength(20);
    await until(
      r.clock,
      () =>
        smtp.received.length === 5 &&
        ids.some((id) => (r.outbox.get(id)?.attempts.length ?? 0) > 0 && r.outbox.get(id)?.state === "queued"),
      "the relay to vanish",
    );
    // While it is away: refused connections, retried later (the lane pauses instead of failing all).
    await r.clock.advance(r.config.retry.modemPauseMs);
    await settle(r.clock);
    await smtp.restart();
    for (let i = 0; i < 50 && smtp.received.length < 20; i++) {
      await r.clock.advance(r.config.retry.baseDelayMs * 4);
      await settle(r.clock, 5);
    }
    await until(r.clock, () => ids.every((id) => r.outbox.get(id)?.state === "submitted"), "all submitted");
    const messageIds = smtp.received.map((m) => m.messageId);
    expect(new Set(messageIds).size).toBe(20);
    expect(messageIds.sort()).toEqual(ids.map((id) => `<${id}.gw1@example.com>`).sort());
    const failures = ids.flatMap((id) => r.outbox.get(id)!.attempts.filter((a) => a.outcome === "temporary"));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.some((a) => /connection-refused|temporary/.test(a.reason ?? ""))).toBe(true);
  });

  it("the modem and the relay do not wait for each other", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
    const sender = new FakeSender(clock);
    sender.hold = true; // a part at the modem that does not come back
    const r = await emailRig(smtp, { clock, sender });
    await r.outbox.enqueue({
      idempotencyKey: "sms-1",
      to: "+4917612345678",
      text: "SMS reminder",
      priority: Priority.reminder,
      origin: { kind: "api", requestedBy: "t" },
    });
    await until(clock, () => sender.calls === 1, "the SMS at the modem");
    await r.outbox.enqueue(mail());
    await until(clock, () => smtp.received.length === 1, "the mail while the modem is busy");
    // And a relay that hangs in DATA does not hold the modem: the next SMS goes meanwhile.
    let hanging = 0;
    smtp.onData = () => (hanging++, "hang");
    const hungMail = await r.outbox.enqueue(mail());
    await until(clock, () => hanging === 1, "the mail's DATA at the relay");
    sender.hold = false;
    sender.release();
    await r.outbox.enqueue({
      idempotencyKey: "sms-2",
      to: "+4917612345679",
      text: "Second SMS",
      priority: Priority.reminder,
      origin: { kind: "api", requestedBy: "t" },
    });
    await until(clock, () => sender.sent.length === 2, "both SMS while the relay hangs");
    expect(r.outbox.get(hungMail.message.id)?.state).toBe("sending");
    smtp.releaseHung();
    await until(clock, () => r.outbox.get(hungMail.message.id)?.state === "submitted", "the hung mail");
    expect(smtp.received).toHaveLength(2);
  });

  it("an e-mail never goes to the modem nor holds up an SMS, even while the relay is busy", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    let hanging = 0;
    smtp.onData = () => (hanging++, "hang");
    const r = await emailRig(smtp);
    await r.outbox.enqueue(mail());
    await until(r.clock, () => hanging === 1, "the first mail at the relay");
    // The e-mail lane is busy; the idle SMS sender must leave the next mails alone.
    const waiting = await r.outbox.enqueueMany([mail(), mail()]);
    await settle(r.clock, 20);
    expect(r.sender.calls).toBe(0);
    for (const o of waiting) if (o.status === "queued") expect(r.outbox.get(o.message.id)?.state).toBe("queued");
    // And the queued mails (older, same priority) do not stand in the way of a later SMS.
    await r.outbox.enqueue({
      idempotencyKey: "sms-after-mails",
      to: "+4917612345678",
      text: "SMS reminder",
      priority: Priority.reminder,
      origin: { kind: "api", requestedBy: "t" },
    });
    await until(r.clock, () => r.sender.sent.length === 1, "the SMS behind the queued mails");
    expect(r.sender.calls).toBe(1);
    smtp.onData = () => "ok";
    smtp.releaseHung();
    await until(r.clock, () => smtp.received.length === 3, "all three by e-mail");
    expect(r.sender.calls).toBe(1);
  });

  it.each(["fail", "resend"] as const)(
    "a crash while a mail is at the relay: in doubt, settled by outbox.inDoubt = %s",
    async (inDoubt) => {
      const smtp = await startSmtp();
      cleanups.push(() => smtp.close());
      let hanging = 0;
      smtp.onData = () => (hanging++, "hang");
      const first = await emailRig(smtp, { inDoubt });
      const res = await first.outbox.enqueue(mail());
      await until(first.clock, () => hanging === 1, "the mail's DATA at the relay");
      // The power goes: the first instance never hears back. A new one starts on the same files.
      smtp.onData = () => "ok";
      const second = await emailRig(smtp, { dataDir: first.dataDir, inDoubt });
      // At cleanup, in this order: the first instance's hung session ends, then that instance stops
      // (its last writes done) before the second one does: two live instances on one data
      // directory would otherwise write its state file at the same moment, which a real crash never leaves.
      cleanups.push(() => first.outbox.stop());
      cleanups.push(() => smtp.vanish());
      const m = () => second.outbox.get(res.message.id);
      expect(m()?.attempts.map((a) => a.outcome)).toEqual(["in-doubt"]);
      if (inDoubt === "fail") {
        expect(m()).toMatchObject({ state: "failed" });
        expect(m()?.failureReason).toMatch(/in doubt/);
        await settle(second.clock);
        expect(smtp.received).toHaveLength(0);
      } else {
        await until(second.clock, () => m()?.state === "submitted", "the resend");
        expect(smtp.received.map((r) => r.messageId)).toEqual([`<${res.message.id}.gw1@example.com>`]);
      }
    },
  );

  it("the suppression list is number-level: it refuses the SMS to a number that said STOP, never an e-mail, and no address reaches it as a number", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const asked: string[] = [];
    const consent: ConsentCheck = {
      verdict: (to) => {
        asked.push(to);
        return { ok: false, reason: `${to} is on the suppression list` };
      },
    };
    const r = await emailRig(smtp, { consent });
    const queued = await r.outbox.enqueue(mail());
    expect(queued.status).toBe("queued");
    await expect(
      r.outbox.enqueue({
        idempotencyKey: "sms-stopped",
        to: "+4917612345678",
        text: "SMS reminder",
        priority: Priority.reminder,
        origin: { kind: "api", requestedBy: "t" },
      }),
    ).rejects.toMatchObject({ code: "outbox.opted_out" });
    await until(r.clock, () => smtp.received.length === 1, "the e-mail through the relay");
    expect(asked).toEqual(["+4917612345678"]);
    expect(r.sender.calls).toBe(0);
  });

  it("in a modem pool no SIM lane takes an e-mail, and a waiting e-mail is given no SIM's reason", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    let hanging = 0;
    smtp.onData = () => (hanging++, "hang");
    const clock = new ManualClock(Date.UTC(2026, 2, 10, 9, 0));
    const sims = [new FakeSender(clock), new FakeSender(clock)];
    const lanes: SimLane[] = sims.map((sender, i) => ({ id: `sim${i + 1}`, sender, costPerPart: 0.09 }));
    const r = await emailRig(smtp, { clock, lanes });
    await r.outbox.enqueue(mail());
    await until(r.clock, () => hanging === 1, "the first mail at the relay");
    const second = await r.outbox.enqueue(mail());
    await settle(r.clock, 20);
    expect(sims.map((s) => s.calls)).toEqual([0, 0]);
    expect(r.outbox.waitReason(second.message)).toBeUndefined();
    smtp.onData = () => "ok";
    smtp.releaseHung();
    await until(r.clock, () => smtp.received.length === 2, "both by e-mail");
    expect(sims.map((s) => s.calls)).toEqual([0, 0]);
  });
});
