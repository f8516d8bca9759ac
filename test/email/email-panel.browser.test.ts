/**
 * The panel's e-mail parts in real headless Chromium against the real service: Messages shows
 * the channel and the subject; Settings sends a test mail through a real SMTP server on loopback
 * and shows the classified error when the relay is gone.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext } from "playwright-core";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { startSmtp, type TestSmtp } from "./helpers/smtp.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const suite = haveChromium || process.env.CI === "true" ? describe : describe.skip;
const PASSWORD = "an admin password";
const day = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);

suite("e-mail in the panel (Chromium)", () => {
  let app: App;
  let smtp: TestSmtp;
  let dataDir: string;
  let browser: BrowserContext;

  beforeAll(async () => {
    smtp = await startSmtp();
    dataDir = mkdtempSync(join(tmpdir(), "duegate-email-panel-"));
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC", companyName: "Acme Alarm" },
      modem: { port: "sim" },
      outbox: { sendWindow: { start: "00:00", end: "23:59" } },
      dunning: { requireTrustedClock: false },
      http: { listen: "127.0.0.1:0", adminPassword: PASSWORD },
      email: {
        enabled: true,
        host: "127.0.0.1",
        port: smtp.port,
        secure: "none",
        from: "billing@acme.example",
        password: "relay-password-not-shown",
      },
    });
    app = await createApp(config, {
      simulator: new ModemSimulator({ sendLatencyMs: 5 }),
      logger: silentLogger(),
      mqtt: false,
    });
    await app.start();
    // A step due today from midnight, so that the run does not depend on the hour the test runs at.
    await app.services.dunning.setPolicy({
      name: "panel test",
      fallbackLocale: "en",
      defaultSequence: "s",
      sequences: { s: { steps: [{ id: "overdue", offsetDays: 7, time: "00:00", template: "overdue" }] } },
      segments: {},
      templates: { overdue: { en: "{{company}}: invoice {{invoiceNumbers}} is overdue." } },
      optOutLine: { en: "Reply STOP to opt out." },
    });
    await app.services.ledger.upsertAccounts([
      { id: "MAIL", version: 1, name: "Mail Only", emails: ["mail@example.org"], timeZone: "UTC", currency: "EUR" },
    ]);
    await app.services.ledger.upsertInvoices([
      {
        id: "I1",
        version: 1,
        accountId: "MAIL",
        number: "R-1",
        amount: 4990,
        currency: "EUR",
        issueDate: day(-20),
        dueDate: day(-7),
      },
    ]);
    await app.services.dunning.evaluate();
    const until = Date.now() + 15_000;
    while (smtp.received.length === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
    expect(smtp.received).toHaveLength(1);
    browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "duegate-chromium-")), {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu", "--no-first-run"],
    });
    const res = await browser.request.post(`${app.httpUrl}/api/v1/login`, {
      data: { name: "admin", password: PASSWORD },
    });
    expect(res.status()).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    await smtp?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("Messages shows the channel and the subject", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.httpUrl}/messages`);
    await page.waitForSelector("#messages-table");
    const row = page.locator("#messages-table tbody tr").first();
    await expect(row.textContent()).resolves.toMatch(/E-mail.*mail@example\.org/);
    await expect(row.textContent()).resolves.toContain("payment reminder R-1");
    await page.close();
  });

  it("Settings sends a test mail, and names the failure when the relay is gone", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.httpUrl}/settings`);
    await page.waitForSelector("#smtp-test");
    await expect(page.locator("#set-email").textContent()).resolves.not.toContain("relay-password-not-shown");
    await page.getByLabel("Send a test mail to").fill("admin@example.org");
    await page.getByRole("button", { name: "Send test mail" }).click();
    await page.getByText(/Test mail accepted by the relay: 250/).waitFor({ timeout: 10_000 });
    expect(smtp.received.some((m) => m.to.includes("admin@example.org"))).toBe(true);
    await smtp.vanish();
    await page.getByRole("button", { name: "Send test mail" }).click();
    const alert = page.locator("#smtp-test-result");
    await alert.waitFor({ timeout: 10_000 });
    await expect(alert.getAttribute("data-failure")).resolves.toBe("connection-refused");
    await expect(alert.textContent()).resolves.toMatch(/Connection refused: .*ECONNREFUSED/);
    await page.close();
  });

  it("the policy editor previews the e-mail beside the SMS, its HTML escaped", async () => {
    const page = await browser.newPage();
    await page.goto(`${app.httpUrl}/policy`);
    await page.waitForSelector("#preview-text");
    await page.getByLabel("Text", { exact: true }).fill("Hello {{name}} <b>, please pay {{amountDue}}.");
    await page.waitForFunction(
      () => document.getElementById("email-preview-text")?.textContent?.includes("please pay"),
      undefined,
      { timeout: 5000 },
    );
    await expect(page.locator("#email-preview-subject").textContent()).resolves.toMatch(
      /Acme Alarm: payment reminder RE-2026-0042/,
    );
    const html = await page.locator("#email-preview-html").getAttribute("srcdoc");
    expect(html).toContain("Hello Maria Muster &lt;b&gt;, please pay");
    expect(html).toContain("unsubscribe");
    await page.close();
  });

  it("Send test goes by e-mail when chosen", async () => {
    const page = await browser.newPage();
    await smtp.restart().catch(() => undefined); // the Settings test left the relay gone
    await page.goto(`${app.httpUrl}/send`);
    await page.waitForSelector("#send-form");
    await page.getByLabel("Channel").selectOption("email");
    await page.getByLabel("To address").fill("tester@example.org");
    await page.getByLabel("Text").fill("Hello <tester> & co");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByText(/Queued as msg/).waitFor({ timeout: 10_000 });
    const until = Date.now() + 20_000;
    while (!smtp.received.some((m) => m.to.includes("tester@example.org")) && Date.now() < until)
      await new Promise((r) => setTimeout(r, 50));
    const got = smtp.received.find((m) => m.to.includes("tester@example.org"));
    expect(got?.subject).toBe("duegate test message");
    expect(got?.raw).toContain("&#60;tester&#62; &#38; co");
    await page.close();
  });
});
