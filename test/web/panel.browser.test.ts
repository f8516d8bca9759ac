/**
 * The panel in real headless Chromium against the whole appliance on the modem simulator.
 * Under CI=true a missing Chromium fails the suite; elsewhere it is skipped with a message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import type { AppServices } from "../../src/app-services.js";
import { startAppliance, ADMIN_PASSWORD, type Appliance } from "./harness.js";
import { MESSAGE_STATES } from "../../src/core/message-states.js";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = "test-results/screenshots";
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium && process.env.CI !== "true")
  console.warn(`[web] ${CHROMIUM} not found: skipping the browser tests (under CI=true this fails)`);
const suite = haveChromium || process.env.CI === "true" ? describe : describe.skip;

let appliance: Appliance;
let browser: BrowserContext;

/** Chromium with a fresh profile directory (Playwright takes it as userDataDir, not as an argument). */
async function launch(): Promise<BrowserContext> {
  if (!haveChromium) throw new Error(`Chromium is required under CI but ${CHROMIUM} does not exist`);
  return chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "duegate-chromium-")), {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** A page with no session (cookies cleared), with page errors and console errors collected. */
async function newPage(viewport = { width: 1280, height: 900 }): Promise<{
  context: { close(): Promise<void>; request: BrowserContext["request"] };
  page: Page;
  problems: string[];
}> {
  await browser.clearCookies();
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  const context = { close: () => page.close(), request: browser.request };
  const problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !/401|403|Failed to load resource/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  return { context, page, problems };
}

async function login(page: Page, name = "admin", password = ADMIN_PASSWORD, next = "/") {
  await page.goto(`${appliance.url}${next}`);
  await page.waitForURL(/\/login/);
  await page.getByLabel("User name").fill(name);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForSelector("#main h1");
}

let adminCookies: Awaited<ReturnType<BrowserContext["cookies"]>> = [];

/**
 * Opens a page as admin with a session made once in beforeAll: the login form itself is
 * tested on its own, and logging in for every test would run into the login rate limit
 * (10 a minute per address).
 */
async function asAdmin(page: Page, path = "/") {
  await browser.addCookies(adminCookies);
  await page.goto(`${appliance.url}${path}`);
  await page.waitForSelector("#main h1");
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

suite("web panel in Chromium", () => {
  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    appliance = await startAppliance();
    console.log(`[web] appliance built via ${appliance.via} at ${appliance.url}`);
    browser = await launch();
    const res = await browser.request.post(`${appliance.url}/api/v1/login`, {
      data: { name: "admin", password: ADMIN_PASSWORD },
    });
    expect(res.status()).toBe(200);
    adminCookies = await browser.cookies();
    expect(adminCookies.map((c) => c.name)).toContain("duegate_session");
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    const t0 = Date.now();
    await appliance?.stop();
    console.log(`[web] appliance stopped in ${Date.now() - t0} ms`);
  });

  it("refuses every page and API call without a session", async () => {
    const { context, page } = await newPage();
    for (const path of [
      "/",
      "/messages",
      "/inbox",
      "/calendar",
      "/accounts",
      "/policy",
      "/send",
      "/modem",
      "/settings",
      "/logs",
    ]) {
      const res = await page.goto(`${appliance.url}${path}`);
      expect(page.url(), path).toBe(`${appliance.url}/login?next=${encodeURIComponent(path)}`);
      expect(res?.status()).toBe(200);
      await expect(page.locator("#login").isVisible()).resolves.toBe(true);
    }
    await shot(page, "00-login");
    const apiPaths = [
      "/api/v1/me",
      "/api/v1/users",
      "/api/v1/api-keys",
      "/api/v1/live",
      "/api/v1/messages",
      "/api/v1/accounts",
      "/api/v1/inbound",
      "/api/v1/status",
      "/api/v1/forecast",
      "/api/v1/reports/aging",
      "/api/v1/export/messages.csv",
    ];
    const panelPaths = [
      "/api/v1/dashboard",
      "/api/v1/modems",
      "/api/v1/modems/modem",
      "/api/v1/settings",
      "/api/v1/messages",
      "/api/v1/inbound",
      "/api/v1/forecast",
      "/api/v1/accounts",
      "/api/v1/policy",
      "/api/v1/logs",
    ];
    for (const path of [...apiPaths, ...panelPaths]) {
      const r = await context.request.get(`${appliance.url}${path}`);
      expect(r.status(), path).toBe(401);
    }
    for (const path of [
      "/api/v1/test-messages",
      "/api/v1/send",
      "/api/v1/cancel",
      "/api/v1/optout",
      "/api/v1/users",
      "/api/v1/modems/modem/console",
      "/api/v1/modems/modem/doctor",
    ]) {
      const post = await context.request.post(`${appliance.url}${path}`, { data: { to: "+4917612345678", text: "x" } });
      expect(post.status(), path).toBe(401);
    }
    expect(appliance.simulator.sent.filter((m) => m.to === "+4917612345678")).toHaveLength(0);
    await context.close();
  });

  it("logs in, shows the dashboard and updates it live when the modem receives an SMS", async () => {
    const { context, page, problems } = await newPage();
    await page.goto(`${appliance.url}/login`);
    await page.getByLabel("User name").fill("admin");
    await page.getByLabel("Password").fill("wrong password!!");
    await page.getByRole("button", { name: "Log in" }).click();
    await expect(page.locator("#login-error").textContent()).resolves.toBe("");
    await page.waitForFunction(() => document.getElementById("login-error")?.textContent !== "");
    expect(await page.locator("#login-error").textContent()).toMatch(/wrong user name or password/);
    await login(page);
    await expect(page.locator("#main h1").textContent()).resolves.toBe("Dashboard");
    await page.waitForSelector(".live-dot.on");
    const before = Number(await page.locator("#tile-received .tile-value").textContent());
    appliance.simulator.injectInbound("+4917612345678", "HELP");
    await page.waitForFunction(
      (n) => Number(document.querySelector("#tile-received .tile-value")?.textContent) === n + 1,
      before,
      { timeout: 10_000 },
    );
    await page.waitForSelector("#activity li");
    const activity = await page.locator("#activity").textContent();
    expect(activity).toContain("SMS received from +491********78");
    expect(activity).not.toContain("12345678");
    await shot(page, "01-dashboard");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("filters Messages by the states the server lists (src/core/message-states.ts), not a copy in the page", async () => {
    const { page, context, problems } = await newPage();
    await asAdmin(page, "/messages");
    // Options of a closed select are never "visible": wait for them to be there.
    await page.waitForSelector("#f-state option", { state: "attached" });
    const options = await page
      .locator("#f-state option")
      .evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value));
    expect(options).toEqual(["", ...MESSAGE_STATES]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("sends a test SMS and finds it in Messages", async () => {
    const { context, page, problems } = await newPage();
    await asAdmin(page, "/send");
    await page.getByLabel("To number").fill("+4917600000001");
    await page.getByLabel("Text").fill("Panel test message 42");
    await page.waitForSelector("#send-measure");
    expect(await page.locator("#send-measure").textContent()).toMatch(/GSM7, 1 part/);
    await page.getByRole("button", { name: "Send", exact: true }).click();
    await page.waitForSelector("text=Queued as");
    await shot(page, "07-send");
    await page.getByRole("link", { name: "Follow it in Messages" }).click();
    await page.waitForSelector("#messages-table");
    await expect(page.locator("#messages-table").textContent()).resolves.toContain("Panel test message 42");
    // the detail opens from the link; wait until the simulator has taken it
    await page.waitForSelector(".detail h3");
    await page.goto(`${appliance.url}/messages?state=submitted,delivered`);
    await page.waitForFunction(
      () => document.querySelector("#messages-table")?.textContent?.includes("Panel test message 42"),
      undefined,
      { timeout: 10_000 },
    );
    expect(appliance.simulator.sent.some((s) => s.text === "Panel test message 42")).toBe(true);
    await page
      .getByRole("button", { name: /Details of message to \+4917600000001/ })
      .first()
      .click();
    await page.waitForSelector("text=Reference (TP-MR)");
    await shot(page, "02-messages");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("edits a template and sees the preview change", async () => {
    const { context, page, problems } = await newPage();
    await asAdmin(page, "/policy");
    await page.waitForSelector("#preview-text");
    const textarea = page.getByLabel("Text", { exact: true });
    await textarea.fill("Hello {{name}}, please pay {{amountDue}}.");
    await page.waitForFunction(
      () =>
        document.getElementById("preview-text")?.textContent?.startsWith("Hello Maria") ||
        document.getElementById("preview-text")?.textContent?.includes("please pay"),
      undefined,
      { timeout: 5000 },
    );
    const first = await page.locator("#preview-text").textContent();
    expect(first).toMatch(/please pay/);
    expect(first).not.toContain("{{");
    await textarea.fill("Grüße {{name}}: bitte zahlen Sie 😀 {{amountDue}}");
    await page.waitForFunction(
      () => document.getElementById("preview-measure")?.textContent?.startsWith("UCS2"),
      undefined,
      { timeout: 5000 },
    );
    await textarea.fill("Hello {{nonsense}}");
    await page.waitForSelector("#preview-error");
    expect(await page.locator("#preview-error").textContent()).toMatch(/nonsense/);
    await shot(page, "05-policy");
    await page.getByRole("button", { name: "Save policy" }).click();
    await page.waitForSelector("#tpl-text-error");
    expect(await page.locator("#tpl-text-error").textContent()).toMatch(/nonsense/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lets an admin change the send window end, refuses a bad value beside its field, and saves it", async () => {
    const { context, page, problems } = await newPage();
    await asAdmin(page, "/settings");
    const end = page.locator("#set-outbox-sendWindow-end");
    await end.waitFor();
    expect(await end.inputValue()).toBe("21:00");
    expect(await page.locator("#set-mqtt-password").getAttribute("placeholder")).toBe("not set");
    await end.fill("25:00");
    await page.getByRole("button", { name: "Save: Send window" }).click();
    await page.waitForSelector("#set-outbox-sendWindow-end-error");
    expect(await page.locator("#set-outbox-sendWindow-end-error").textContent()).toBe(
      'Latest send time: "25:00" is not allowed; it must be a time like 21:00.',
    );
    expect(appliance.services.config.outbox.sendWindow.end).toBe("21:00");
    await end.fill("20:30");
    await page.getByRole("button", { name: "Save: Send window" }).click();
    await page.waitForSelector("text=Saved: Latest send time.");
    expect(appliance.services.config.outbox.sendWindow.end).toBe("20:30"); // in force without a restart
    await page.reload();
    await page.locator("#set-outbox-sendWindow-end").waitFor();
    expect(await page.locator("#set-outbox-sendWindow-end").inputValue()).toBe("20:30");
    await shot(page, "09-settings-edited");
    // back as it was, so that the tests after this one see the default window
    const restored = await page.evaluate(async () => {
      const me = await (await fetch("/api/v1/me")).json();
      return (
        await fetch("/api/v1/settings", {
          method: "PATCH",
          headers: { "content-type": "application/json", "x-csrf-token": me.csrfToken },
          body: JSON.stringify({ "outbox.sendWindow.end": "21:00" }),
        })
      ).status;
    });
    expect(restored).toBe(200);
    expect(problems).toEqual([]);
    await context.close();
  });

  it("lets a viewer look but not change settings", async () => {
    await appliance.auth.createUser("vera", "viewer", "viewer password 1");
    const { context, page, problems } = await newPage({ width: 390, height: 844 });
    await login(page, "vera", "viewer password 1", "/settings");
    await page.waitForSelector("#viewer-note");
    expect(await page.locator("#add-user").count()).toBe(0);
    await shot(page, "09-settings-viewer-phone");
    const csrf = await page.evaluate(async () => (await (await fetch("/api/v1/me")).json()).csrfToken as string);
    const status = await page.evaluate(
      async (token) =>
        (
          await fetch("/api/v1/users", {
            method: "POST",
            headers: { "content-type": "application/json", "x-csrf-token": token },
            body: JSON.stringify({ name: "mallory", role: "admin", password: "long enough password" }),
          })
        ).status,
      csrf,
    );
    expect(status).toBe(403);
    const send = await page.evaluate(
      async (token) =>
        (
          await fetch("/api/v1/test-messages", {
            method: "POST",
            headers: { "content-type": "application/json", "x-csrf-token": token },
            body: JSON.stringify({ to: "+4917600000002", text: "x" }),
          })
        ).status,
      csrf,
    );
    expect(send).toBe(403);
    expect(await page.locator("#set-outbox-sendWindow-end").isDisabled()).toBe(true);
    expect(await page.locator("[id^=save-set-]").count()).toBe(0);
    const put = await page.evaluate(
      async (token) =>
        (
          await fetch("/api/v1/settings", {
            method: "PATCH",
            headers: { "content-type": "application/json", "x-csrf-token": token },
            body: JSON.stringify({ "outbox.sendWindow.end": "23:00" }),
          })
        ).status,
      csrf,
    );
    expect(put).toBe(403);
    // the phone layout folds the navigation behind the menu button
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("link", { name: "Logs" }).click();
    await page.waitForSelector("#log-lines");
    await page.getByRole("button", { name: "Menu" }).click();
    await page.getByRole("link", { name: "Dashboard" }).click();
    await page.waitForSelector(".chart .uplot");
    await shot(page, "01-dashboard-viewer-phone");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("shows every page without errors (screenshots)", async () => {
    const { context, page, problems } = await newPage();
    await asAdmin(page);
    const pages: Array<[string, string, string]> = [
      ["/inbox", "03-inbox", "#inbox-table"],
      ["/calendar", "04-calendar", "#calendar"],
      ["/accounts", "06-accounts", "#accounts-table"],
      ["/modem", "08-modem", "#at-cmd"],
      ["/settings", "09-settings", "#users-table"],
      ["/logs", "10-logs", "#log-lines"],
      ["/", "01-dashboard-charts", ".chart canvas, .chart .uplot"],
    ];
    for (const [path, name, selector] of pages) {
      await page.goto(`${appliance.url}${path}`);
      await page.waitForSelector(selector, { timeout: 10_000 }).catch(async (e: unknown) => {
        await shot(page, `${name}-failed`);
        throw new Error(
          `${path}: ${selector} did not appear; the page says: ${await page.locator("#main").textContent()}`,
          { cause: e },
        );
      });
      await page.waitForLoadState("networkidle").catch(() => {});
      await shot(page, name);
    }
    // the calendar is the engine's forecast: the debtor due in ten days is on it
    await page.goto(`${appliance.url}/calendar`);
    await page.waitForSelector("#calendar");
    expect(await page.locator("#calendar").textContent()).toContain("ACC-100");
    // each planned reminder with its local time (the step's, or a learned hour)
    expect(await page.locator("#calendar tbody tr td").first().textContent()).toMatch(/^\d{2}:\d{2}/);
    // an account's detail: invoices, aging, opt-out
    await page.goto(`${appliance.url}/accounts`);
    await page.getByRole("link", { name: "ACC-200" }).click();
    await page.waitForSelector("text=R-2026-002");
    expect(await page.locator(".detail").textContent()).toContain("31-60: 1");
    await shot(page, "06-account-detail");
    await page.goto(`${appliance.url}/modem`);
    await page.getByRole("button", { name: "Run" }).click();
    await page.waitForFunction(
      () => (document.querySelector(".console")?.textContent ?? "").includes("+CSQ:"),
      undefined,
      { timeout: 5000 },
    );
    // a command that changes the modem is refused by the driver's allow-list
    await page.getByLabel("Command").fill("AT+CMGD=1,4");
    await page.getByRole("button", { name: "Run" }).click();
    await page.waitForSelector("main .error[role=alert]");
    await shot(page, "08-modem-console");
    // the doctor's checks through the running modem: pass/fail with hints
    await page.getByRole("button", { name: "Check modem modem" }).click();
    await page.waitForSelector("#doctor-checks li", { timeout: 15_000 });
    expect(await page.locator("#doctor-summary").textContent()).toContain("All checks passed on modem.");
    expect(await page.locator("#doctor-checks").textContent()).toMatch(/registration: home/);
    appliance.simulator.fault.noNetwork(3000);
    await page.getByRole("button", { name: "Check modem modem" }).click();
    await page.waitForFunction(
      () => (document.querySelector("#doctor-summary")?.textContent ?? "").includes("failed"),
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.locator("#doctor-checks .check-fail", { hasText: "registration" }).textContent()).toMatch(
      /registration: searching\s*Hint: not registered: check that the antenna/,
    );
    await shot(page, "08-modem-doctor");
    expect(problems).toEqual([]);
    await context.close();
  });

  it("draws the Reports page's figures and downloads an account's evidence as CSV", async () => {
    const { context, page, problems } = await newPage();
    const text = 'Evidence "quoted", with comma';
    await (appliance.services as unknown as AppServices).outbox.enqueue({
      idempotencyKey: "web-evidence-1",
      to: "+4917611111111",
      text,
      priority: 1,
      origin: { kind: "api", requestedBy: "test", accountId: "ACC-100" },
    });
    const waitUntil = Date.now() + 10_000;
    while (
      appliance.services.outbox!.list({ accountId: "ACC-100" }).items.find((m) => m.text === text)?.state !==
        "delivered" &&
      Date.now() < waitUntil
    )
      await new Promise((r) => setTimeout(r, 50));
    await asAdmin(page, "/reports");
    await page.waitForSelector("#report-ontime", { timeout: 10_000 });
    expect(await page.locator("#report-ontime").textContent()).toMatch(/paid on time \(\d+ of \d+\)/);
    expect(await page.locator("#report-dso-EUR").textContent()).toMatch(/DSO EUR/);
    expect(await page.locator("#report-cost-total").textContent()).toMatch(/^[1-9]\d* messages, [1-9]\d* parts, cost/);
    await page.waitForSelector(".chart .uplot");
    // The default period (the server's) is shown in the fields, as the period line says it.
    const period = page.locator("#report-period time");
    expect([await period.nth(0).getAttribute("datetime"), await period.nth(1).getAttribute("datetime")]).toEqual([
      await page.locator("#report-from").inputValue(),
      await page.locator("#report-to").inputValue(),
    ]);
    expect(await page.locator("#report-from").inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    await shot(page, "11-reports");
    // The send-time table (docs/send-time.md): the default policy keeps fixed times, so no group has debtors.
    expect(await page.locator("#send-time-h").textContent()).toContain("learned hours against the holdout");
    expect(await page.locator("#send-time-h + p").textContent()).toContain(
      "No debtor of a sequence with learned send times",
    );
    // a period that ends before it starts: the API's message, in the page
    await page.locator("#report-from").fill("2026-03-10");
    await page.locator("#report-to").fill("2026-03-01");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForSelector("main .error[role=alert]");
    expect(await page.locator("main .error[role=alert]").textContent()).toContain("is after to");
    await page.goto(`${appliance.url}/accounts`);
    await page.getByRole("link", { name: "ACC-100" }).click();
    await page.waitForSelector("#evidence-csv");
    // The account's send time and why: the step's time under the default policy.
    await page.waitForSelector("#send-time-reason");
    expect(await page.locator("#send-time-choice").textContent()).toMatch(/^\d{2}:\d{2} fixed/);
    expect(await page.locator("#send-time-reason").textContent()).toContain(
      "sends at each step's time (sendTime: fixed)",
    );
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#evidence-csv").click()]);
    expect(download.suggestedFilename()).toMatch(/^duegate-evidence-ACC-100-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await download.path())!, "utf8");
    expect(csv.split("\n")[0]).toBe(
      "kind,at,id,number,step,invoices,state,parts,encoding,submitted_at,delivered_at,reports,reason,text,channel",
    );
    expect(csv).toContain('"Evidence ""quoted"", with comma"');
    expect(problems).toEqual([]);
    await context.close();
  });

  it("retries a failed message and cancels a queued one from Messages", async () => {
    const { context, page, problems } = await newPage();
    await asAdmin(page, "/messages");
    const send = (to: string, text: string) =>
      page.evaluate(
        async ([to, text]) => {
          const me = await (await fetch("/api/v1/me")).json();
          const res = await fetch("/api/v1/test-messages", {
            method: "POST",
            headers: { "content-type": "application/json", "x-csrf-token": me.csrfToken },
            body: JSON.stringify({ to, text }),
          });
          return (await res.json()).id as string;
        },
        [to, text] as const,
      );
    const stateOf = (id: string) =>
      page.evaluate(async (id) => (await (await fetch(`/api/v1/messages/${id}`)).json()).state as string, id);

    // 3GPP TS 24.011 E-2 cause 21: a permanent refusal, so the outbox fails the message at once
    appliance.simulator.fault.cmsError(21, 1);
    const failedId = await send("+4917600000003", "will fail once");
    await expect.poll(() => stateOf(failedId), { timeout: 10_000 }).toBe("failed");
    await page.goto(`${appliance.url}/messages?id=${failedId}`);
    await page.getByRole("button", { name: "Retry" }).click();
    await page.waitForSelector("text=Queued again.");
    await expect.poll(() => stateOf(failedId), { timeout: 10_000 }).toMatch(/submitted|delivered/);

    // without network the modem is not ready and messages wait in the queue, where they can be cancelled
    appliance.simulator.fault.noNetwork(5000);
    await page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    const heldId = await send("+4917600000004", "first, held while there is no network");
    const queuedId = await send("+4917600000005", "second, to be cancelled");
    await page.goto(`${appliance.url}/messages?id=${queuedId}`);
    await page.getByRole("button", { name: "Cancel message" }).click();
    await page.waitForSelector("text=Cancelled.");
    expect(await stateOf(queuedId)).toBe("cancelled");
    await shot(page, "02-messages-cancelled");
    expect(await stateOf(heldId)).not.toBe("cancelled");
    expect(problems).toEqual([]);
    await context.close();
  });
});
