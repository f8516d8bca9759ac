import { describe, expect, it } from "vitest";
import {
  countryOf,
  e164OrUndefined,
  maskNumber,
  phoneReadings,
  samePhone,
  senderE164,
  toE164,
} from "../../src/core/phone.js";
import { maskNumber as maskFromLogger } from "../../src/core/mask.js";
import { validateAccount } from "../../src/ledger/validate.js";
import { recipientE164 } from "../../src/outbox/recipient.js";
import { matchReport } from "../../src/outbox/reports.js";
import type { OutboxMessage } from "../../src/outbox/types.js";

const DEFAULTS = { region: "DE", locale: "de-DE", currency: "EUR", timeZone: "Europe/Berlin" };

describe("toE164", () => {
  it("reads the common spellings of one number to one E.164 form", () => {
    for (const raw of [
      "+49 176 12345678",
      "0176 12345678",
      "(0176) 1234-5678",
      "0049 176 12345678",
      "+49.176.12345678",
    ]) {
      expect(toE164(raw, "DE")).toEqual({ ok: true, e164: "+4917612345678", country: "DE" });
    }
  });

  it("says why a number is refused, and where the region was assumed", () => {
    expect(toE164("PayPal", "DE")).toMatchObject({ ok: false, problem: "not-a-number" });
    expect(toE164("", "DE")).toMatchObject({ ok: false, problem: "empty" });
    expect(toE164(42, "DE")).toMatchObject({ ok: false, problem: "empty" });
    expect(toE164("+491", "DE")).toMatchObject({ ok: false, problem: "too-short" });
    expect(toE164("+49 176 123456789012345", "DE")).toMatchObject({ ok: false, problem: "too-long" });
    expect(toE164("+999 123456", "DE")).toMatchObject({ ok: false, problem: "unknown-country" });
    const national = toE164("01", "DE");
    expect(national.ok).toBe(false);
    if (!national.ok) expect(national.reason).toContain("region DE assumed");
  });

  it("is strict by default (a real numbering plan) and loose only on request", () => {
    // +1 555 555 0100 has the length of a US number but is in no plan.
    expect(toE164("+15555550100", "DE").ok).toBe(false);
    expect(toE164("+15555550100", "DE", { strict: false }).ok).toBe(true);
  });
});

describe("one rule for storing and sending", () => {
  // Formerly the ledger (isValid) and the inbound reader (isPossible) disagreed: a number one accepted the other refused.
  const inputs = [
    "+4917612345678",
    "0176 12345678",
    "0049 176 12345678",
    "+90 532 123 45 67",
    "+1 212 555 0123",
    "+15555550100",
    "+44 7700 900123",
    "12",
    "PayPal",
    "+43 1 51112340001",
  ];

  it("a number the ledger stores is a number the outbox sends, to the same E.164 form", () => {
    for (const raw of inputs) {
      const stored = validateAccount({ id: "A", version: 1, name: "n", phones: [raw] }, 0, DEFAULTS);
      let sent: string | undefined;
      try {
        sent = recipientE164(raw, "DE");
      } catch {
        sent = undefined;
      }
      expect({ raw, stored: stored.ok ? stored.value.phones[0] : undefined }).toEqual({ raw, stored: sent });
    }
  });

  it("a sender matched to an account is one the outbox can answer", () => {
    for (const raw of inputs) {
      const sender = senderE164(raw, "DE");
      if (sender !== undefined) expect(recipientE164(raw, "DE")).toBe(sender);
    }
  });

  it("never reads a short code or an alphanumeric sender as a subscriber", () => {
    expect(senderE164("12345", "DE")).toBeUndefined();
    expect(senderE164("PayPal", "DE")).toBeUndefined();
    expect(senderE164("+4917612345678", "DE")).toBe("+4917612345678");
    // "12345" alone reads as a valid German number; only the sender rule tells a short code apart.
    expect(e164OrUndefined("12345", "DE")).toBe("+4912345");
  });
});

describe("samePhone", () => {
  it("matches the forms a network writes one number in", () => {
    expect(samePhone("+4917612345678", "4917612345678", "DE")).toBe(true);
    expect(samePhone("+4917612345678", "017612345678", "DE")).toBe(true);
    expect(samePhone("+4917612345678", "004917612345678", "DE")).toBe(true);
  });

  it("never matches two subscribers that share the last digits (the former last-8-digits rule)", () => {
    expect(samePhone("+4915112340001", "+4315112340001", "DE")).toBe(false);
    expect(samePhone("+4917612345678", "+4417612345678", "DE")).toBe(false);
    expect(phoneReadings("not a number", "DE").size).toBe(0);
  });

  it("a delivery report for an Austrian number is not taken for the German message with the same reference", () => {
    const now = Date.UTC(2026, 5, 10, 10);
    const german = {
      id: "m1",
      to: "+4915112340001",
      state: "submitted",
      partCount: 1,
      parts: [{ index: 1, reference: 7, submittedAt: now - 1000, status: "pending" }],
    } as unknown as OutboxMessage;
    expect(matchReport([german], { reference: 7, recipient: "+4315112340001" }, now, 3_600_000, "DE")).toBeUndefined();
    expect(matchReport([german], { reference: 7, recipient: "4915112340001" }, now, 3_600_000, "DE")?.message.id).toBe(
      "m1",
    );
  });
});

describe("countryOf and masking", () => {
  it("names the country of a number", () => {
    expect(countryOf("+905321234567")).toBe("TR");
    expect(countryOf("+12125550123")).toBe("US");
    expect(countryOf("+4917612345678")).toBe("DE");
    expect(countryOf("nonsense")).toBeUndefined();
  });

  it("masks with one function, the logger's", () => {
    expect(maskNumber("+4917612345678")).toBe("+491********78");
    expect(maskFromLogger).toBe(maskNumber);
  });
});
