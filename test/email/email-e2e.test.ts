/**
 * End to end, the real service with e-mail on, a simulated modem and a real SMTP server on
 * loopback: an account with e-mail only gets its reminder by e-mail; sms-then-email falls back
 * after a permanent SMS failure; STOP by SMS does not stop e-mail and the e-mail unsubscribe
 * link (followed with fetch, as a mail client's one-click POST) does not stop SMS; both are in
 * the evidence export.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForValue } from "../support/wait.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { freePort } from "../bridge/helpers/mosquitto.js";
import { startSmtp, type TestSmtp } from "./helpers/smtp.js";

const FB = "+4915123400002";
const BOTH = "+4915123400003";
/** The mail's body as written (nodemailer sends HTML quoted-printable). */
const quotedPrintable = (raw: string): string =>
  Buffer.from(
    raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
    "latin1",
  ).toString("utf8");
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

const POLICY = {
  name: "e-mail test",
  fallbackLocale: "en",
  defaultSequence: "s",
  sequences: { s: { steps: [{ id: "overdue", offsetDays: 7, time: "00:00", template: "overdue" }] } },
  segments: {},
  templates: { overdue: { en: "{{company}}: invoice {{invoiceNumbers}} for {{amountDue}} is overdue." } },
  optOutLine: { en: "Reply STOP to opt out." },
  emailTemplates: {
    overdue: {
      en: { subject: "Invoice {{invoiceNumbers}} is overdue", html: "<p>Dear {{name}}, {{amountDue}} is overdue.</p>" },
    },
  },
};

describe("e-mail end to end", () => {
  let app: App;
  let dataDir: string;
  let smtp: TestSmtp;
  const sim = new ModemSimulator({ sendLatencyMs: 5, deliveryReportDelayMs: 20 });

  let invoiceSeq = 0;
  const overdueInvoice = async (accountId: string) => {
    const id = `I${++invoiceSeq}`;
    const r = await app.services.ledger.upsertInvoices([
      {
        id,
        version: 1,
        accountId,
        number: `R-${invoiceSeq}`,
        amount: 4990,
        currency: "EUR",
        issueDate: day(-20),
        dueDate: day(-7),
      },
    ]);
    expect(r.refused).toEqual([]);
    return id;
  };
  const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address));
  const smsTo = (number: string) => sim.sent.filter((s) => s.to === number);

  beforeAll(async () => {
    smtp = await startSmtp();
    dataDir = mkdtempSync(join(tmpdir(), "duegate-email-e2e-"));
    const httpPort = await freePort();
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC", companyName: "Acme Alarm" },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      // One message per invoice (not one per account and day), so that a second invoice gets its own reminder the same day.
      dunning: { requireTrustedClock: false, consolidate: false },
      http: { listen: `127.0.0.1:${httpPort}`, adminPassword: "an admin password" },
      email: {
        enabled: true,
        host: "127.0.0.1",
        port: smtp.port,
        secure: "none",
        from: "billing@acme.example",
        publicUrl: `http://127.0.0.1:${httpPort}`,
      },
    });
    app = await createApp(config, { simulator: sim, logger: silentLogger(), mqtt: false });
    await app.start();
    await app.services.dunning.setPolicy(POLICY, "test");
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("an account with e-mail only gets its reminder by e-mail, HTML escaped", async () => {
    const r = await app.services.ledger.upsertAccounts([
      {
        id: "MAIL",
        version: 1,
        name: "<b>Mail</b> & Co",
        emails: ["mail@example.org"],
        timeZone: "UTC",
        currency: "EUR",
      },
    ]);
    expect(r.refused).toEqual([]);
    await overdueInvoice("MAIL");
    await app.services.dunning.evaluate();
    const got = await waitForValue("the mail", () => mailsTo("mail@example.org")[0]);
    expect(got.subject).toMatch(/^Invoice R-\d+ is overdue$/);
    const html = quotedPrintable(got.raw);
    expect(html).toContain("Dear &lt;b&gt;Mail&lt;&#x2F;b&gt; &amp; Co,");
    expect(html).not.toContain("<b>Mail</b>");
    expect(got.header("List-Unsubscribe")).toMatch(
      /^<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/email\/unsubscribe\?t=[^>]+>, <mailto:billing@acme\.example\?subject=unsubscribe/,
    );
    expect(got.messageId).toMatch(/^<msg[^.]*\.gw1@acme\.example>$/);
    expect(sim.sent.filter((s) => /overdue/.test(s.text))).toHaveLength(0);
    const listed = app.services.outbox.list({ accountId: "MAIL" }).items;
    expect(listed.map((m) => [m.channel, m.state])).toEqual([["email", "submitted"]]);
  });

  it("sms-then-email: after a permanent SMS failure the reminder goes by e-mail", async () => {
    await app.services.ledger.upsertAccounts([
      {
        id: "FB",
        version: 1,
        name: "Fall Back",
        phones: [FB],
        emails: ["fb@example.org"],
        channel: "sms-then-email",
        timeZone: "UTC",
        currency: "EUR",
      },
    ]);
    await overdueInvoice("FB");
    sim.fault.cmsError(21); // "short message transfer rejected": permanent
    await app.services.dunning.evaluate();
    const sms = await waitForValue("the failed SMS", () =>
      app.services.outbox.list({ accountId: "FB" }).items.find((m) => m.channel !== "email" && m.state === "failed"),
    );
    expect(sms.attempts.at(-1)?.outcome).toBe("permanent");
    const got = await waitForValue("the fallback mail", () => mailsTo("fb@example.org")[0]);
    expect(got.subject).toMatch(/is overdue/);
    const fallback = app.services.outbox.list({ accountId: "FB" }).items.find((m) => m.channel === "email")!;
    expect(fallback.idempotencyKey).toBe(`${sms.idempotencyKey}:email-fallback`);
    // Evaluating again sends nothing more on either channel.
    await app.services.dunning.evaluate();
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo("fb@example.org")).toHaveLength(1);
  });

  it("STOP by SMS does not stop e-mail; the e-mail unsubscribe does not stop SMS; both are in the evidence", async () => {
    await app.services.ledger.upsertAccounts([
      {
        id: "BOTH",
        version: 1,
        name: "Both Ways",
        phones: [BOTH],
        emails: ["both@example.org"],
        channel: "both",
        timeZone: "UTC",
        currency: "EUR",
      },
    ]);
    await overdueInvoice("BOTH");
    await app.services.dunning.evaluate();
    await waitForValue("the SMS", () => smsTo(BOTH).some((s) => /overdue/.test(s.text)));
    const first = await waitForValue("the mail", () => mailsTo("both@example.org")[0]);

    // The debtor clicks "unsubscribe" in the mail client: RFC 8058 one-click POST to the link.
    const link = /<(http[^>]+)>/.exec(first.header("List-Unsubscribe") ?? "")![1]!;
    const page = await fetch(link);
    expect(page.status).toBe(200);
    expect(app.services.ledger.account("BOTH")!.emailOptedOut).not.toBe(true); // GET changes nothing
    const forged = await fetch(
      link.replace(/t=([^&]+)/, (_m, t: string) => `t=${t.slice(0, -2)}xx`),
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      },
    );
    expect(forged.status).toBe(400);
    const click = await fetch(link, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(click.status).toBe(200);
    expect(app.services.ledger.account("BOTH")).toMatchObject({ emailOptedOut: true, optedOut: false });

    const smsBefore = smsTo(BOTH).length;
    await overdueInvoice("BOTH");
    await app.services.dunning.evaluate();
    await waitForValue("the next SMS", () => smsTo(BOTH).length > smsBefore);
    await new Promise((r) => setTimeout(r, 300));
    expect(mailsTo("both@example.org")).toHaveLength(1);

    // Now STOP by SMS, from an account that still gets e-mail: its mail goes on.
    await app.services.ledger.upsertAccounts([
      {
        id: "STOPPER",
        version: 1,
        name: "Stop Per",
        phones: ["+4915123400004"],
        emails: ["stopper@example.org"],
        channel: "both",
        timeZone: "UTC",
        currency: "EUR",
      },
    ]);
    sim.injectInbound("+4915123400004", "STOP");
    await waitForValue("the opt-out", () => app.services.ledger.account("STOPPER")!.optedOut);
    const smsStopper = smsTo("+4915123400004").filter((s) => /overdue/.test(s.text)).length;
    await overdueInvoice("STOPPER");
    await app.services.dunning.evaluate();
    await waitForValue("the mail after STOP", () => mailsTo("stopper@example.org")[0]);
    expect(smsTo("+4915123400004").filter((s) => /overdue/.test(s.text))).toHaveLength(smsStopper);

    // The evidence export shows both changes, each with its channel and source.
    const login = await fetch(`${app.httpUrl}/api/v1/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "admin", password: "an admin password" }),
    });
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith("duegate_session="))!
      .split(";")[0]!;
    const both = (await (
      await fetch(`${app.httpUrl}/api/v1/accounts/BOTH/evidence`, { headers: { cookie } })
    ).json()) as {
      consentLog: Array<{ channel: string; optedOut: boolean; source: string }>;
      messages: Array<{ channel: string }>;
    };
    expect(both.consentLog.map((c) => [c.channel, c.optedOut, c.source])).toEqual([["email", true, "email-link"]]);
    expect(new Set(both.messages.map((m) => m.channel))).toEqual(new Set(["sms", "email"]));
    // The relay test of the Settings page: admin only, and a refusal comes back classified.
    const anonymous = await fetch(`${app.httpUrl}/api/v1/email/test`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ to: "admin@example.org" }),
    });
    expect(anonymous.status).toBe(401);
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const test = (to: string) =>
      fetch(`${app.httpUrl}/api/v1/email/test`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
        body: JSON.stringify({ to }),
      });
    const ok = await test("admin@example.org");
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true });
    expect(mailsTo("admin@example.org")[0]?.subject).toMatch(/test mail/);
    smtp.onRcpt = (address) =>
      address === "outside@example.net" ? { code: 554, message: "5.7.1 Relay access denied" } : "ok";
    const denied = await test("outside@example.net");
    expect(denied.status).toBe(502);
    expect(await denied.json()).toMatchObject({
      ok: false,
      failureClass: "relay-denied",
      smtpCode: 554,
      error: { code: "email.rejected" },
    });
    const stopper = (await (
      await fetch(`${app.httpUrl}/api/v1/accounts/STOPPER/evidence`, { headers: { cookie } })
    ).json()) as { consentLog: Array<{ channel: string; optedOut: boolean; source: string }> };
    expect(stopper.consentLog.map((c) => [c.channel, c.optedOut, c.source])).toEqual([["sms", true, "sms"]]);
  });
});
