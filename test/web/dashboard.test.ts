import { describe, expect, it } from "vitest";
import { perDay } from "../../src/http/web/dashboard.js";
import { agingOf } from "../../src/dunning/reports/index.js";
import { redactConfig } from "../../src/http/web/settings-view.js";
import { lastDays } from "../../src/core/calendar.js";
import type { OutboxMessage } from "../../src/outbox/types.js";
import type { Invoice } from "../../src/ledger/types.js";

const at = (iso: string) => Date.parse(iso);

function message(state: OutboxMessage["state"], createdAt: number, submitted = true): OutboxMessage {
  return {
    id: "m",
    idempotencyKey: "k",
    to: "+491" as OutboxMessage["to"],
    text: "t",
    encoding: "gsm7",
    partCount: 1,
    priority: 1,
    origin: { kind: "test", requestedBy: "x" },
    timeZones: [],
    limitClass: "reply",
    state,
    attempts: [],
    parts: [{ index: 1, ...(submitted ? { reference: 1 } : {}) }],
    createdAt,
    history: [],
  };
}

function invoice(dueDate: string, amountDue: number, extra: Partial<Invoice> = {}): Invoice {
  return {
    id: dueDate,
    version: 1,
    accountId: "A",
    number: "1",
    amount: amountDue,
    amountDue,
    currency: "EUR",
    issueDate: "2026-01-01",
    dueDate,
    status: "open",
    directDebit: false,
    noReminders: false,
    updatedAt: 0,
    ...extra,
  };
}

describe("dashboard figures", () => {
  it("counts sent, delivered, failed and received per day in the gateway's zone", () => {
    const days = lastDays(at("2026-03-10T12:00:00Z"), 3, "Europe/Berlin");
    expect(days).toEqual(["2026-03-08", "2026-03-09", "2026-03-10"]);
    const figures = perDay(
      [
        message("delivered", at("2026-03-10T08:00:00Z")),
        message("failed", at("2026-03-10T09:00:00Z")),
        message("queued", at("2026-03-10T09:00:00Z"), false),
        // 23:30 UTC on the 8th is already the 9th in Berlin
        message("submitted", at("2026-03-08T23:30:00Z")),
        message("delivered", at("2026-03-01T08:00:00Z")),
      ],
      [{ receivedAt: at("2026-03-10T10:00:00Z") }],
      days,
      "Europe/Berlin",
    );
    expect(figures).toEqual([
      { day: "2026-03-08", sent: 0, delivered: 0, failed: 0, received: 0 },
      { day: "2026-03-09", sent: 1, delivered: 0, failed: 0, received: 0 },
      { day: "2026-03-10", sent: 2, delivered: 1, failed: 1, received: 1 },
    ]);
  });

  it("buckets an account's open invoices by days overdue with the reports' aging (the panel's account page)", () => {
    const r = agingOf(
      [
        invoice("2026-03-20", 100),
        invoice("2026-03-01", 200),
        invoice("2026-01-15", 300),
        invoice("2025-11-01", 400),
        invoice("2026-02-01", 0, { status: "paid", paidOn: "2026-01-30" }),
      ],
      "2026-03-10",
    );
    expect(r).toEqual([
      {
        currency: "EUR",
        amounts: { current: 100, "1-30": 200, "31-60": 300, "61-90": 0, "over-90": 400 },
        counts: { current: 1, "1-30": 1, "31-60": 1, "61-90": 0, "over-90": 1 },
        total: 1000,
        disputed: 0,
      },
    ]);
  });

  it("hides secrets from the settings page", () => {
    const shown = redactConfig({
      http: { adminPassword: "hunter2", listen: "0.0.0.0:8080", webhooks: [{ url: "https://x", secret: "s3" }] },
      modem: { pin: "1234", port: "sim" },
      mqtt: { password: "" },
    });
    expect(JSON.stringify(shown)).not.toMatch(/hunter2|s3"|1234/);
    expect(shown).toMatchObject({
      http: { listen: "0.0.0.0:8080", webhooks: [{ url: "https://x" }] },
      modem: { port: "sim" },
      mqtt: { password: "" },
    });
  });
});
