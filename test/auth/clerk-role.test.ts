/**
 * The clerk role against the real appliance over loopback HTTP: a clerk does a collections
 * clerk's work (reply, one-off send, opt-out, suppression list, promise, pause, dispute, handled,
 * marks) and is refused settings, policy, users, keys, ledger records, broker logins and the AT console; a viewer is
 * refused the clerk's commands. Enforced by the server, whatever the panel shows.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppliance, ADMIN_PASSWORD, type Appliance } from "../web/harness.js";
import { panelSession, type PanelCall } from "../support/panel-session.js";

let appliance: Appliance;

interface Caller {
  call: PanelCall;
}

async function logIn(name: string, password: string): Promise<Caller> {
  return { call: await panelSession(appliance.url, name, password) };
}

function berlinDay(offsetDays = 0): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Berlin" }).format(
    new Date(Date.now() + offsetDays * 86_400_000),
  );
}

let admin: Caller;
let clerk: Caller;
let viewer: Caller;

/** The clerk's commands, each with what it does on the seeded ledger. */
const DESK_ROUTES: Array<[string, string, unknown?]> = [
  ["POST", "/api/v1/replies", { to: "+4917622222222", text: "We called you back." }],
  ["POST", "/api/v1/test-messages", { to: "+4917622222222", text: "Your payment plan is set up." }],
  ["POST", "/api/v1/optout", { accountId: "ACC-100", optedOut: false }],
  ["POST", "/api/v1/messages/no-such-message/cancel"],
  ["POST", "/api/v1/messages/no-such-message/retry"],
  ["POST", "/api/v1/accounts/ACC-200/promise", { date: berlinDay(3) }],
  ["POST", "/api/v1/accounts/ACC-200/pause", { until: null }],
  ["DELETE", "/api/v1/accounts/ACC-200/marks/disconnect"],
  ["POST", "/api/v1/invoices/INV-2/resolve-dispute"],
  ["POST", "/api/v1/inbound/in_unknown/handled"],
  ["DELETE", "/api/v1/inbound/in_unknown/handled"],
  // The suppression list (the Opt-outs page): opting a number out or in is a clerk's work.
  ["POST", "/api/v1/suppressions", { number: "+4917633333333", reason: "asked by phone" }],
  ["DELETE", "/api/v1/suppressions/%2B4917633333333"],
];

/** What a clerk may not touch: the appliance's settings, policy, people, keys, ledger feed, modem console. */
const NOT_FOR_CLERKS: Array<[string, string, unknown?]> = [
  ["PUT", "/api/v1/policy", {}],
  ["PATCH", "/api/v1/settings", { "outbox.sendWindow.end": "23:00" }],
  ["POST", "/api/v1/users", { name: "mallory", role: "admin", password: "long enough password" }],
  ["PATCH", "/api/v1/users/carla", { role: "admin" }],
  ["GET", "/api/v1/users"],
  ["POST", "/api/v1/api-keys", { name: "k", scopes: ["read", "write"] }],
  ["GET", "/api/v1/api-keys"],
  ["POST", "/api/v1/accounts", { id: "ACC-9", version: 1, name: "X", phones: ["+4917699999999"] }],
  ["POST", "/api/v1/modems/modem/console", { command: "AT+CSQ" }],
  ["GET", "/api/v1/mqtt/credentials"],
  ["POST", "/api/v1/mqtt/credentials/rotate"],
];

describe("the clerk role", () => {
  beforeAll(async () => {
    appliance = await startAppliance();
    await appliance.auth.createUser("carla", "clerk", "clerk password 1");
    await appliance.auth.createUser("vera", "viewer", "viewer password 1");
    admin = await logIn("admin", ADMIN_PASSWORD);
    clerk = await logIn("carla", "clerk password 1");
    viewer = await logIn("vera", "viewer password 1");
  }, 60_000);

  afterAll(async () => {
    await appliance?.stop();
  });

  it("is a role an admin can give, and says what it may do", async () => {
    const me = await clerk.call("GET", "/api/v1/me");
    expect(me.body).toMatchObject({ principal: { name: "carla", role: "clerk", scopes: ["read", "desk"] } });
    const made = await admin.call("POST", "/api/v1/users", {
      name: "cleo",
      role: "clerk",
      password: "another password 1",
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: "cleo", role: "clerk" });
    const bad = await admin.call("POST", "/api/v1/users", { name: "x1", role: "boss", password: "another password 1" });
    expect(bad.status).toBe(400);
  });

  it.each(DESK_ROUTES)("lets a clerk %s %s, and refuses a viewer", async (method, path, body) => {
    const asViewer = await viewer.call(method, path, body);
    expect(asViewer.status, JSON.stringify(asViewer.body)).toBe(403);
    expect(JSON.stringify(asViewer.body)).toContain('role \\"viewer\\" lacks the \\"desk\\" permission');
    const asClerk = await clerk.call(method, path, body);
    expect(asClerk.status, JSON.stringify(asClerk.body)).not.toBe(403);
    expect(asClerk.status, JSON.stringify(asClerk.body)).toBeLessThan(500);
  });

  it.each(NOT_FOR_CLERKS)("refuses a clerk %s %s", async (method, path, body) => {
    const r = await clerk.call(method, path, body);
    expect(r.status, JSON.stringify(r.body)).toBe(403);
  });

  it("records a promise from a clerk that the account and the Today page then show", async () => {
    const date = berlinDay(0);
    const r = await clerk.call("POST", "/api/v1/accounts/ACC-200/promise", { date });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      id: "ACC-200",
      pausedUntil: date,
      pauseReason: "promise to pay recorded in the panel by carla",
    });
    const today = await viewer.call("GET", "/api/v1/today");
    expect(today.status).toBe(200);
    expect((today.body as { promises: unknown[] }).promises).toContainEqual(
      expect.objectContaining({
        accountId: "ACC-200",
        name: "John Late",
        status: "due-today",
        amountDue: 12000,
        currency: "EUR",
      }),
    );
  });

  it("refuses a promise in the past or too far ahead, naming the field", async () => {
    const past = await clerk.call("POST", "/api/v1/accounts/ACC-200/promise", { date: berlinDay(-2) });
    expect(past.status).toBe(400);
    expect(JSON.stringify(past.body)).toContain("is in the past");
    const far = await clerk.call("POST", "/api/v1/accounts/ACC-200/promise", { date: berlinDay(120) });
    expect(far.status).toBe(400);
    expect(JSON.stringify(far.body)).toContain("more than 90 days ahead");
    const garbage = await clerk.call("POST", "/api/v1/accounts/ACC-200/promise", { date: "next friday" });
    expect(garbage.status).toBe(400);
    const unknown = await clerk.call("POST", "/api/v1/accounts/NOPE/promise", { date: berlinDay(1) });
    expect(unknown.status).toBe(404);
  });
});
