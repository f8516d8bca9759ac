/**
 * The Settings page in real headless Chromium against the real service: fields drawn from the
 * schema's facts with their labels, an out-of-range value refused beside its field in words,
 * and the SMTP relay set up from nothing and tried with a test mail against a real SMTP server
 * (smtp-server) on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { validateConfig } from "../../src/config/load.js";
import { createApp, type App } from "../../src/app.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { silentLogger } from "../../src/core/log.js";
import { startSmtp, type TestSmtp } from "../email/helpers/smtp.js";

const CHROMIUM = "/usr/bin/chromium";
const suite = existsSync(CHROMIUM) || process.env.CI === "true" ? describe : describe.skip;
const PASSWORD = "an admin password";
const RELAY = { user: "duegate", pass: "relay pass 123" };

suite("the Settings page (Chromium)", () => {
  let app: App;
  let relay: TestSmtp;
  let dataDir: string;
  let browser: BrowserContext;

  const settingsPage = async (): Promise<{ page: Page; errors: string[] }> => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(`${app.httpUrl}/settings`);
    await page.locator("#set-email-h").waitFor({ timeout: 15_000 });
    return { page, errors };
  };

  beforeAll(async () => {
    relay = await startSmtp({ auth: RELAY });
    dataDir = mkdtempSync(join(tmpdir(), "duegate-settings-page-"));
    // E-mail as a fresh appliance has it: off, no relay named.
    const config = validateConfig({
      gateway: { dataDir, id: "gw1", defaultTimeZone: "UTC", companyName: "Acme Alarm" },
      modem: { port: "sim" },
      dunning: { requireTrustedClock: false },
      http: { listen: "127.0.0.1:0", adminPassword: PASSWORD },
    });
    app = await createApp(config, {
      simulator: new ModemSimulator({ sendLatencyMs: 5 }),
      logger: silentLogger(),
      mqtt: false,
    });
    await app.start();
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
    await relay?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("refuses an out-of-range value beside its field, in words, and saves a good one without a restart", async () => {
    const { page, errors } = await settingsPage();
    const perMinute = page.getByLabel("SMS parts per minute");
    await expect(perMinute.inputValue()).resolves.toBe("30");
    await expect(page.locator("#set-outbox-limits-perMinute-hint").textContent()).resolves.toContain(
      "Allowed: a whole number of SMS parts, 1 or more.",
    );
    await perMinute.fill("0");
    await page.getByRole("button", { name: "Save: Limits" }).click();
    const error = page.locator("#set-outbox-limits-perMinute-error");
    await error.waitFor({ timeout: 10_000 });
    await expect(error.textContent()).resolves.toBe(
      "SMS parts per minute: 0 is not allowed; it must be a whole number of SMS parts, 1 or more.",
    );
    expect(app.services.config.outbox.limits.perMinute).toBe(30);

    const start = page.getByLabel("Earliest send time");
    await start.fill("7 am");
    await page.getByRole("button", { name: "Save: Send window" }).click();
    const startError = page.locator("#set-outbox-sendWindow-start-error");
    await startError.waitFor({ timeout: 10_000 });
    await expect(startError.textContent()).resolves.toBe(
      'Earliest send time: "7 am" is not allowed; it must be a time like 08:00.',
    );

    await perMinute.fill("12");
    await page.getByRole("button", { name: "Save: Limits" }).click();
    await page.getByText("Saved: SMS parts per minute.").waitFor({ timeout: 10_000 });
    expect(app.services.config.outbox.limits.perMinute).toBe(12);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("sets up the SMTP relay, sends a test mail, and names a wrong password with the server's answer", async () => {
    const { page, errors } = await settingsPage();
    const section = page.locator("#set-email");
    await section.getByLabel("SMTP server").fill("127.0.0.1");
    await section.getByLabel("SMTP port").fill(String(relay.port));
    await section.getByLabel("Security").selectOption({ label: "none (trusted LAN only)" });
    await section.getByLabel("SMTP user").fill(RELAY.user);
    await section.getByLabel("SMTP password").fill(RELAY.pass);
    await section.getByLabel("Sender address").fill("billing@acme.example");
    await page.getByRole("button", { name: "Save: E-mail (SMTP relay)" }).click();
    await section
      .getByText(/^Saved: SMTP server, SMTP port, Security, SMTP user, SMTP password, Sender address\.$/)
      .waitFor({
        timeout: 10_000,
      });
    expect(app.services.config.email).toMatchObject({ host: "127.0.0.1", port: relay.port, secure: "none" });
    // The password is never shown again: the field says it is set.
    await page.reload();
    await expect(page.getByLabel("SMTP password").getAttribute("placeholder")).resolves.toBe("set (type to replace)");
    await expect(page.content()).resolves.not.toContain(RELAY.pass);

    await page.getByLabel("Send a test mail to").fill("admin@example.org");
    await page.getByRole("button", { name: "Send test mail" }).click();
    await page.getByText(/Test mail accepted by the relay: 250/).waitFor({ timeout: 10_000 });
    expect(relay.received.some((m) => m.to.includes("admin@example.org") && m.from === "billing@acme.example")).toBe(
      true,
    );

    await page.getByLabel("SMTP password").fill("not the password");
    await page.getByRole("button", { name: "Save: E-mail (SMTP relay)" }).click();
    await page.locator("#set-email").getByText("Saved: SMTP password.").waitFor({ timeout: 10_000 });
    await page.getByRole("button", { name: "Send test mail" }).click();
    const failure = page.locator("#smtp-test-result");
    await failure.waitFor({ timeout: 10_000 });
    await expect(failure.getAttribute("data-failure")).resolves.toBe("authentication");
    await expect(failure.textContent()).resolves.toMatch(
      /Authentication failed: the server refused the SMTP user or password\..*535 5\.7\.8 Authentication credentials invalid/,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
