import { describe, it, expect } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents, LedgerChangedEvent } from "../../src/api/events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { memoryDocuments } from "../../src/ledger/ports.js";
import { checkEmailAddress } from "../../src/core/email-address.js";
import { check } from "../../src/api/validate.js";
import { AccountUpsert } from "../../src/api/payloads.js";

async function open() {
  const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
  const bus = new EventBus<DomainEvents>();
  const changes: LedgerChangedEvent[] = [];
  bus.on("ledger.changed", "t", (e) => void changes.push(e));
  const ledger = await Ledger.open({
    dataDir: "/x",
    clock,
    bus,
    logger: silentLogger(),
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: memoryDocuments(),
  });
  return { ledger, clock, changes };
}

describe("e-mail addresses", () => {
  it("accepts plain addresses and lower-cases the domain", () => {
    expect(checkEmailAddress(" Jana.Schmidt+bills@Example.COM ")).toEqual({
      ok: true,
      address: "Jana.Schmidt+bills@example.com",
    });
  });
  it.each([
    ["a@b", /domain/],
    ["no-at.example.com", /name@domain/],
    ["a@example.com\r\nBcc: x@evil.test", /line break/],
    ["a@example.com, b@example.com", /comma/],
    ["Jana <a@example.com>", /angle bracket|space/],
    ["a..b@example.com", /name part/],
  ])("refuses %j", (input, reason) => {
    const r = checkEmailAddress(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });
});

describe("accounts with e-mail and a channel preference", () => {
  it("stores emails and the channel; an account may have e-mail only", async () => {
    const { ledger } = await open();
    const r = await ledger.upsertAccounts([
      {
        id: "a1",
        version: 1,
        name: "Jana",
        phones: ["0170 1234567"],
        emails: ["jana@example.com"],
        channel: "sms-then-email",
      },
      { id: "a2", version: 1, name: "Mail Only", emails: ["only@example.com"], channel: "email" },
      { id: "a3", version: 1, name: "Default", phones: ["0170 7654321"] },
    ]);
    expect(r.refused).toEqual([]);
    expect(ledger.account("a1")).toMatchObject({ emails: ["jana@example.com"], channel: "sms-then-email" });
    expect(ledger.account("a2")).toMatchObject({ phones: [], emails: ["only@example.com"], channel: "email" });
    expect(ledger.account("a3")).toMatchObject({ emails: [], channel: "sms" });
  });

  it("refuses bad addresses and an account with neither phone nor e-mail, naming the field", async () => {
    const { ledger } = await open();
    const r = await ledger.upsertAccounts([
      { id: "b1", version: 1, name: "X", phones: ["0170 1234567"], emails: ["ok@example.com", "bad@@example.com"] },
      { id: "b3", version: 1, name: "X" },
    ]);
    expect(r.applied).toEqual([]);
    expect(r.refused.find((x) => x.id === "b1")).toMatchObject({ field: "emails[1]", code: "invalid_email" });
    expect(r.refused.find((x) => x.id === "b3")).toMatchObject({ field: "phones", code: "missing" });
  });

  // The shape (an address list, a known channel) is the payload schema's: checked once, at the edge.
  it("the account schema refuses an unknown channel, listing the allowed ones, and a lone address string", () => {
    const r = check(AccountUpsert, { id: "b2", version: 1, name: "X", phones: ["0170 1234567"], channel: "fax" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems[0]).toMatchObject({ field: "/channel" });
    if (!r.ok) expect(r.problems[0]?.reason).toMatch(/"sms", "email", "both", "sms-then-email"/);
    expect(check(AccountUpsert, { id: "b4", version: 1, name: "X", emails: "only@example.com" }).ok).toBe(false);
    expect(
      check(AccountUpsert, { id: "b5", version: 1, name: "X", emails: ["only@example.com"], channel: "email" }).ok,
    ).toBe(true);
  });

  it("the e-mail opt-out is separate from the SMS one and both are in the consent log", async () => {
    const { ledger, clock, changes } = await open();
    await ledger.upsertAccounts([
      { id: "a1", version: 1, name: "Jana", phones: ["0170 1234567"], emails: ["jana@example.com"], channel: "both" },
    ]);
    await ledger.setOptOut({ number: "+491701234567" }, true, "sms");
    await clock.advance(1000);
    expect(await ledger.setEmailOptOut("a1", true, "email-link")).toBe(true);
    expect(await ledger.setEmailOptOut("a1", true, "email-link")).toBe(false);
    const a = ledger.account("a1")!;
    expect(a.optedOut).toBe(true);
    expect(a.emailOptedOut).toBe(true);
    expect(a.consentLog?.map((c) => [c.channel, c.optedOut, c.source])).toEqual([
      ["sms", true, "sms"],
      ["email", true, "email-link"],
    ]);
    expect(changes.map((c) => c.stop).filter(Boolean)).toEqual(["opted-out", "email-opted-out"]);
    // A later upsert from accounting keeps both opt-outs and the log.
    await ledger.upsertAccounts([
      { id: "a1", version: 2, name: "Jana S", phones: ["0170 1234567"], emails: ["jana@example.com"] },
    ]);
    expect(ledger.account("a1")).toMatchObject({ optedOut: true, emailOptedOut: true });
    expect(ledger.account("a1")!.consentLog).toHaveLength(2);
  });
});
