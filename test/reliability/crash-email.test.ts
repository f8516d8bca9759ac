/**
 * Power cuts during a batch of e-mail reminders. The real service process (src/main.ts compiled
 * to JS, as the appliance runs dist/) with e-mail on, a real SMTP server (smtp-server) on
 * loopback in this process (outside the killed one, so it counts what arrived), the modem
 * simulator behind a pseudo-terminal and a real Mosquitto. The accounting server publishes
 * accounts (e-mail only, and both channels) with an overdue invoice each, in bursts, while the
 * service is killed with SIGKILL at random moments and started again. Some kills are made at the
 * worst moment on purpose: the SMTP server has taken the whole mail (DATA) and the service dies
 * before it reads the 250, so the outbox never learns that the relay accepted it.
 *
 * Afterwards, from the SMTP server's record and the data directory: every reminder mail arrived,
 * none twice by Message-ID except what outbox.inDoubt = resend sent again (counted apart, and
 * only for mails whose record carries an in-doubt attempt), each "both" account's SMS went on the
 * air, and the outbox's history says exactly what the SMTP server saw. A second, short run with
 * the default outbox.inDoubt = fail shows the other side of the guarantee: the in-doubt mail is
 * not sent again, and its record says "in doubt" although the relay had it (docs/email.md).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ModemSimulator } from "../../src/modem/index.js";
import { Mosquitto } from "../bridge/helpers/mosquitto.js";
import { startSmtp, type TestSmtp } from "../email/helpers/smtp.js";
import { ServiceProcess } from "./harness/service.js";
import { AccountingClient } from "./harness/accounting.js";
import { reliabilityConfig } from "./harness/appliance.js";
import { inspectDataDir } from "./harness/inspect.js";
import { scanLogs } from "./harness/log-scan.js";
import { recordFigures } from "./harness/figures.js";
import { compiledMain } from "./harness/compiled.js";
import { freePort, scaled, seededRandom, sleep, toolsPresent, waitUntil, MOSQUITTO, SOCAT } from "./harness/tools.js";
import type { OutboxMessage } from "../../src/outbox/types.js";

const run = toolsPresent(MOSQUITTO, SOCAT);
const EMAIL_ONLY = scaled(200);
const BOTH = scaled(100);
const KILLS = scaled(10);
/** Kills at the worst moment: the relay has the mail, the service has not read its answer. */
const IN_DOUBT_KILLS = Math.max(1, scaled(3));
const SEED = Number(process.env.DUEGATE_RELIABILITY_SEED ?? Date.now() % 1_000_000);
const GATEWAY = "relmail";
const DOMAIN = "rel.example";
/** How long the SMTP server takes over each mail's DATA: a mail is at the relay when a kill comes, as on a real link. */
const DATA_MS = 15;

const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const address = (i: number) => `debtor${i}@mail.${DOMAIN}`;
const phone = (i: number) => `+49152${String(40_000_000 + i)}`;
const accountId = (i: number) => `A${i}`;
/** The outbox message id inside a Message-ID (src/outbox/email-lane.ts messageIdOf). */
const messageIdOf = (header: string) =>
  new RegExp(`^<(.+)\\.${GATEWAY}@${DOMAIN.replace(".", "\\.")}>$`).exec(header)?.[1];

const POLICY = {
  name: "crash e-mail",
  fallbackLocale: "en",
  defaultSequence: "s",
  sequences: { s: { steps: [{ id: "overdue", offsetDays: 7, time: "00:00", template: "overdue" }] } },
  segments: {},
  templates: { overdue: { en: "{{company}}: invoice {{invoiceNumbers}} for {{amountDue}} is overdue." } },
  optOutLine: { en: "Reply STOP to opt out." },
  emailTemplates: {
    overdue: { en: { subject: "Invoice {{invoiceNumbers}} is overdue", text: "Dear {{name}}, please pay." } },
  },
};

/** Account i: e-mail only for i < EMAIL_ONLY, both channels after. */
const account = (i: number) =>
  i < EMAIL_ONLY
    ? { id: accountId(i), version: 1, name: `Mail ${i}`, emails: [address(i)], channel: "email", timeZone: "UTC" }
    : {
        id: accountId(i),
        version: 1,
        name: `Both ${i}`,
        phones: [phone(i)],
        emails: [address(i)],
        channel: "both",
        timeZone: "UTC",
      };
const invoice = (i: number) => ({
  id: `I${i}`,
  version: 1,
  accountId: accountId(i),
  number: `R-${i}`,
  amount: 4990,
  currency: "EUR",
  issueDate: day(-20),
  // The step (7 days after) falls on today: older ones are past the grace for missed steps and skipped.
  dueDate: day(-7),
});

function emailConfig(dataDir: string, smtpPort: number, inDoubt: "resend" | "fail"): Record<string, unknown> {
  return reliabilityConfig(dataDir, {
    gateway: { id: GATEWAY },
    mqtt: { reconnectPeriodMs: 200, keepaliveSeconds: 5 },
    // storage.flushIntervalMs stays at its default (1 s): a record that is not made durable at once
    // before the relay sees the mail has a whole second to be caught by a kill.
    outbox: { inDoubt },
    dunning: { policy: POLICY, consolidate: false, changeDebounceMs: 200 },
    email: {
      enabled: true,
      host: "127.0.0.1",
      port: smtpPort,
      secure: "none",
      from: `billing@${DOMAIN}`,
      ratePerMinute: 10_000,
      connectionTimeoutMs: 2000,
      greetingTimeoutMs: 2000,
      socketTimeoutMs: 5000,
    },
  });
}

/** Arms the SMTP server to kill the service once it has a whole mail, before the service reads the 250. */
class InDoubtTrap {
  private armed: (() => Promise<void>) | undefined;
  private fired: ((messageId: string) => void) | undefined;
  readonly caught: string[] = [];

  constructor(smtp: TestSmtp) {
    smtp.onData = (mail) => {
      const kill = this.armed;
      if (kill) {
        this.armed = undefined;
        this.caught.push(mail.messageId);
        const fired = this.fired;
        // The mail is the relay's now (released into smtp.received once the service is gone); the 250 goes to a dead socket.
        void kill().then(() => {
          smtp.releaseHung();
          fired?.(mail.messageId);
        });
        return "hang";
      }
      setTimeout(() => smtp.releaseHung(), DATA_MS);
      return "hang";
    };
  }

  /** Resolves with the Message-ID caught, or undefined when no mail came within timeoutMs (disarmed then). */
  async spring(kill: () => Promise<void>, timeoutMs: number): Promise<string | undefined> {
    const caught = new Promise<string>((resolve) => (this.fired = resolve));
    this.armed = kill;
    const r = await Promise.race([caught, sleep(timeoutMs).then(() => undefined)]);
    this.armed = undefined;
    this.fired = undefined;
    return r;
  }
}

describe.runIf(run)("crash: kill -9 during a batch of e-mail reminders", () => {
  let broker: Mosquitto;
  let smtp: TestSmtp;
  let sim: ModemSimulator;
  let pty: { path: string; close(): Promise<void> };
  let accounting: AccountingClient;
  const services: ServiceProcess[] = [];
  const dataDirs: string[] = [];
  let passed = 0;

  beforeAll(async () => {
    broker = await Mosquitto.start();
    smtp = await startSmtp();
    sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 50, storageSize: 255 });
    pty = await sim.servePty();
    accounting = await AccountingClient.connect(broker.url, `duegate/${GATEWAY}/`);
  }, 60_000);

  afterAll(async () => {
    for (const s of services) {
      await s.kill9();
      rmSync(s.configFile, { force: true });
    }
    // Kept after a failure, for the post-mortem (the path is printed).
    for (const d of dataDirs)
      if (passed === 2) rmSync(d, { recursive: true, force: true });
      else console.error(`[reliability crash-email] data directory kept: ${d}`);
    await accounting?.close();
    await pty?.close();
    await smtp?.close();
    await broker?.dispose();
  });

  async function newService(
    inDoubt: "resend" | "fail",
  ): Promise<{ service: ServiceProcess; config: Record<string, unknown>; dataDir: string }> {
    const dataDir = mkdtempSync(join(tmpdir(), "duegate-rel-crash-email-"));
    dataDirs.push(dataDir);
    const config = emailConfig(dataDir, smtp.port, inDoubt);
    const service = new ServiceProcess({
      dataDir,
      modem: pty.path,
      mqtt: broker.url,
      http: `127.0.0.1:${await freePort()}`,
      config,
      compiled: compiledMain(),
    });
    services.push(service);
    return { service, config, dataDir };
  }

  const restart = async (service: ServiceProcess, restartMs: number[]) => {
    accounting.forgetStatus();
    const t0 = Date.now();
    await service.start(60_000);
    await accounting.waitOnline(30_000);
    restartMs.push(Date.now() - t0);
  };

  it(`every reminder mail arrives once, or twice only when in doubt, across ${KILLS + IN_DOUBT_KILLS} kills (${EMAIL_ONLY} e-mail only, ${BOTH} both)`, async () => {
    const { service, config, dataDir } = await newService("resend");
    const trap = new InDoubtTrap(smtp);
    const random = seededRandom(SEED);
    const total = EMAIL_ONLY + BOTH;
    const restartMs: number[] = [];
    let killsDuringStartup = 0;
    let inDoubtKills = 0;

    await service.start(60_000);
    await accounting.waitOnline(30_000);

    // Accounts first (an invoice names its account), then their invoices; counted once the broker acknowledged both.
    let published = 0;
    const publishSome = async (n: number) => {
      const from = published;
      const to = Math.min(total, published + n);
      if (to <= from) return;
      published = to;
      const ids = Array.from({ length: to - from }, (_, k) => from + k);
      await accounting.publish("accounts/upsert", ids.map(account));
      await accounting.publish("invoices/upsert", ids.map(invoice));
    };

    await publishSome(Math.ceil(total / 3));
    const plan = Array.from({ length: KILLS + IN_DOUBT_KILLS }, (_, k) =>
      k % Math.ceil((KILLS + IN_DOUBT_KILLS) / IN_DOUBT_KILLS) === 1 ? "in-doubt" : "random",
    );
    for (const kind of plan) {
      if (kind === "in-doubt") {
        // Bounded: a mail reaches the relay within seconds while work is queued; if none comes, an ordinary kill.
        const caught = await trap.spring(() => service.kill9(), 20_000);
        if (caught) inDoubtKills++;
        else await service.kill9();
      } else if (random() < 0.2) {
        // a kill while the service starts: opening files, settling in-doubt mails, evaluating the policy
        await service.kill9();
        service.start(60_000).catch(() => undefined);
        await sleep(200 + random() * 1500);
        if (service.running) killsDuringStartup++;
        await service.kill9();
      } else {
        await sleep(100 + random() * 2500);
        await service.kill9();
      }
      await restart(service, restartMs);
      await publishSome(Math.ceil((total * 2) / 3 / plan.length));
    }
    await publishSome(total);

    // The last life of the service finishes the batch. Bounded: done, or 180 s, or 20 s without a new mail.
    const arrived = () => new Set(smtp.received.flatMap((m) => m.to));
    const smsOnAir = () => new Set(sim.sent.map((s) => s.to));
    const drainStart = Date.now();
    let progress = { at: Date.now(), seen: 0 };
    const drainMs = await waitUntil(
      "every reminder mail and SMS",
      () => {
        const seen = smtp.received.length + sim.sent.length;
        if (seen !== progress.seen) progress = { at: Date.now(), seen };
        if (Date.now() - progress.at > 20_000) throw new Error("no progress for 20 s");
        const mails = arrived();
        const sms = smsOnAir();
        return Array.from({ length: total }, (_, i) => i).every(
          (i) => mails.has(address(i)) && (i < EMAIL_ONLY || sms.has(phone(i))),
        );
      },
      180_000,
      250,
    ).then(
      () => Date.now() - drainStart,
      () => -1,
    );
    await sleep(1000); // the last outcomes reach the disk (coalesced writes)
    const exit = await service.stop();

    const contents = await inspectDataDir(config, dataDir);
    const emails = contents.messages.filter((m) => m.channel === "email");
    const byId = new Map(emails.map((m) => [m.id, m]));
    const inDoubtAttempts = (m: OutboxMessage | undefined) =>
      (m?.attempts ?? []).filter((a) => a.outcome === "in-doubt").length;

    // What the SMTP server saw, by Message-ID.
    const received = new Map<string, number>();
    for (const m of smtp.received) received.set(m.messageId, (received.get(m.messageId) ?? 0) + 1);
    const unknownAtServer = [...received.keys()].filter((mid) => !byId.has(messageIdOf(mid) ?? ""));
    const twice = [...received].filter(([, n]) => n > 1).map(([mid]) => mid);
    const twiceInDoubt = twice.filter((mid) => inDoubtAttempts(byId.get(messageIdOf(mid)!)) > 0);
    const twiceUnexplained = twice.filter((mid) => !twiceInDoubt.includes(mid));
    // More copies than the record has in-doubt attempts plus the one it knows of: a send the history does not show.
    const beyondRecord = [...received].filter(([mid, n]) => n > 1 + inDoubtAttempts(byId.get(messageIdOf(mid) ?? "")));
    const wrongRecipient = smtp.received.filter((m) => {
      const rec = byId.get(messageIdOf(m.messageId) ?? "");
      return rec !== undefined && (m.to.length !== 1 || m.to[0] !== rec.to);
    });
    // The history agrees: a mail is "submitted" exactly when the relay has it.
    const submittedNotArrived = emails.filter(
      (m) => m.state === "submitted" && !received.has(`<${m.id}.${GATEWAY}@${DOMAIN}>`),
    );
    const arrivedNotSubmitted = emails.filter(
      (m) => m.state !== "submitted" && received.has(`<${m.id}.${GATEWAY}@${DOMAIN}>`),
    );
    const perAccount = new Map<string, number>();
    for (const m of emails) {
      const id = m.origin.kind === "dunning" ? m.origin.accountId : "";
      perAccount.set(id, (perAccount.get(id) ?? 0) + 1);
    }
    const accountsWithout = Array.from({ length: total }, (_, i) => accountId(i)).filter((id) => !perAccount.has(id));
    const accountsWithTwo = [...perAccount].filter(([, n]) => n > 1).map(([id]) => id);
    const lostMail = Array.from({ length: total }, (_, i) => address(i)).filter((a) => !arrived().has(a));
    const sms = contents.messages.filter((m) => m.channel !== "email");
    const lostSms = Array.from({ length: BOTH }, (_, k) => phone(EMAIL_ONLY + k)).filter((p) => !smsOnAir().has(p));
    // One SMS per "both" account (one step, one part): a number on the air twice is a resend.
    const smsCount = new Map<string, number>();
    for (const s of sim.sent) smsCount.set(s.to, (smsCount.get(s.to) ?? 0) + 1);
    const smsTwice = sms.filter((m) => (smsCount.get(m.to) ?? 0) > 1);
    const smsTwiceUnexplained = smsTwice.filter((m) => inDoubtAttempts(m) === 0);
    const caughtResent = trap.caught.filter((mid) => (received.get(mid) ?? 0) >= 2);
    const logFindings = scanLogs(service.lines.join("\n"), {
      numbers: [phone(EMAIL_ONLY), phone(total - 1)],
      amounts: [],
      secrets: [address(0), address(EMAIL_ONLY), address(total - 1)],
    });

    const figures = {
      entry: service.runs,
      seed: SEED,
      kills: KILLS + IN_DOUBT_KILLS,
      killsDuringStartup,
      inDoubtKills,
      starts: service.starts,
      accounts: total,
      emailOnly: EMAIL_ONLY,
      both: BOTH,
      mailsExpected: total,
      mailsReceived: smtp.received.length,
      mailsLost: lostMail.length,
      mailsTwice: twiceUnexplained.length,
      mailsTwiceInDoubt: twiceInDoubt.length,
      inDoubtMails: emails.filter((m) => inDoubtAttempts(m) > 0).length,
      inDoubtSetting: "resend",
      historyDisagrees: submittedNotArrived.length + arrivedNotSubmitted.length + beyondRecord.length,
      smsLost: lostSms.length,
      smsTwice: smsTwiceUnexplained.length,
      restartMsMedian: median(restartMs),
      restartMsMax: Math.max(...restartMs),
      drainMs,
      finalExitCode: exit,
      unmaskedInLogs: logFindings.length,
    };
    recordFigures("crashEmail", figures);
    console.log(`[reliability crash-email] ${JSON.stringify(figures)}`);

    expect(lostMail.slice(0, 20)).toEqual([]);
    expect({ accountsWithout, accountsWithTwo }).toEqual({ accountsWithout: [], accountsWithTwo: [] });
    expect(unknownAtServer).toEqual([]);
    expect(wrongRecipient.map((m) => m.messageId)).toEqual([]);
    expect(twiceUnexplained).toEqual([]);
    expect(beyondRecord).toEqual([]);
    expect(submittedNotArrived.map((m) => m.id)).toEqual([]);
    expect(arrivedNotSubmitted.map((m) => [m.id, m.state])).toEqual([]);
    // The worst-moment kills happened, and each such mail went out again under the same Message-ID.
    expect(inDoubtKills).toBeGreaterThan(0);
    expect(caughtResent).toEqual(trap.caught);
    expect(lostSms).toEqual([]);
    expect(smsTwiceUnexplained.map((m) => m.id)).toEqual([]);
    expect(logFindings.map((f) => f.line)).toEqual([]);
    expect(exit).toBe(0);
    passed++;
  }, 900_000);

  it("with the default outbox.inDoubt = fail, the in-doubt mail is not sent again and its record says so", async () => {
    const { service, config, dataDir } = await newService("fail");
    const trap = new InDoubtTrap(smtp);
    const before = smtp.received.length;
    const ids = [0, 1, 2, 3].map((k) => 10_000 + k);
    await service.start(60_000);
    await accounting.waitOnline(30_000);
    await accounting.publish("accounts/upsert", ids.map(account));
    const springing = trap.spring(() => service.kill9(), 30_000);
    await accounting.publish("invoices/upsert", ids.map(invoice));
    const caught = await springing;
    expect(caught, "a mail reached the SMTP server").toBeDefined();
    await restart(service, []);
    const mine = () => smtp.received.slice(before);
    await waitUntil("the other mails", () => new Set(mine().flatMap((m) => m.to)).size === ids.length, 60_000, 100);
    await sleep(1000);
    expect(await service.stop()).toBe(0);

    const emails = (await inspectDataDir(config, dataDir)).messages.filter((m) => m.channel === "email");
    const mid = messageIdOf(caught!)!;
    const record = emails.find((m) => m.id === mid);
    // At most once: the relay has it once, and nothing was sent again.
    expect(mine().filter((m) => m.messageId === caught)).toHaveLength(1);
    expect(mine()).toHaveLength(ids.length);
    // The record is honest about what it cannot know: failed, in doubt (the relay had it after all).
    expect(record?.state).toBe("failed");
    expect(record?.failureReason).toMatch(/^in doubt/);
    expect(record?.attempts.map((a) => a.outcome)).toContain("in-doubt");
    expect(emails.filter((m) => m.id !== mid).map((m) => m.state)).toEqual(["submitted", "submitted", "submitted"]);
    recordFigures("crashEmail", {
      failSettingInDoubtResent: mine().length - ids.length,
      failSettingRecord: record?.state,
    });
    passed++;
  }, 300_000);
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : 0;
}
