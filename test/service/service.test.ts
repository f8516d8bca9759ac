/**
 * The application layer's own rules, with small fakes of its ports (src/service/ports.ts): who
 * is recorded for a change, what a refused cancel says, how staff see a message.
 */
import { describe, expect, it } from "vitest";
import { cancelMessage, changeOptOut, messageView, replyTo, suppressNumber } from "../../src/service/index.js";
import type { ConsentCommands, LedgerCommands, OutboxCommands } from "../../src/service/index.js";
import type { ConsentSource } from "../../src/consent/types.js";
import type { OutboxMessage } from "../../src/outbox/types.js";
import type { E164 } from "../../src/core/types.js";

function fakes() {
  const calls: Array<[string, ...unknown[]]> = [];
  const ledger: LedgerCommands = {
    upsertAccounts: async () => ({ received: 0, applied: [], unchanged: [], stale: [], refused: [] }),
    upsertInvoices: async () => ({ received: 0, applied: [], unchanged: [], stale: [], refused: [] }),
    recordPayments: async () => ({ received: 0, applied: [], unchanged: [], stale: [], refused: [] }),
    setOptOut: async (sel, optedOut, source) => {
      calls.push(["setOptOut", sel, optedOut, source]);
      return ["A1"];
    },
  };
  const record = (number: string, suppressed: boolean) => ({ number: number as E164, suppressed, changes: [] });
  const consent: ConsentCommands = {
    normalise: (n) => n as E164,
    has: () => true,
    get: () => undefined,
    list: () => ({ total: 0, items: [] }),
    add: async (n: string, source: ConsentSource) => {
      calls.push(["add", n, source]);
      return { record: record(n, true), changed: true };
    },
    remove: async (n: string, source: ConsentSource) => {
      calls.push(["remove", n, source]);
      return { record: record(n, false), changed: true };
    },
  };
  return { calls, ledger, consent };
}

describe("the application layer", () => {
  it("records a machine client by its way in and name, and a person in the panel as the panel", async () => {
    const f = fakes();
    await changeOptOut(f, { number: "+4915100000001", optedOut: true }, { via: "mqtt", by: "duegate/gw/optout" });
    await changeOptOut(f, { accountId: "A1", optedOut: false }, { via: "http", by: "anna", person: true });
    await suppressNumber(f, "+4915100000002", { via: "http", by: "accounting" }, "asked by letter");
    expect(f.calls).toEqual([
      ["add", "+4915100000001", { kind: "api", via: "mqtt", by: "duegate/gw/optout" }],
      ["setOptOut", { number: "+4915100000001" }, true, "mqtt"],
      ["setOptOut", { accountId: "A1" }, false, "panel"],
      ["add", "+4915100000002", { kind: "api", via: "http", by: "accounting" }],
      ["setOptOut", { number: "+4915100000002" }, true, "http"],
    ]);
  });

  it("refuses an opt-out that names both an account and a number, or neither, naming the field", async () => {
    const f = fakes();
    const both = changeOptOut(
      f,
      { accountId: "A1", number: "+4915100000001", optedOut: true },
      { via: "http", by: "k" },
    );
    await expect(both).rejects.toMatchObject({ code: "domain.validation", context: { field: "/accountId" } });
    expect(f.calls).toEqual([]);
  });

  it("says why one message cannot be cancelled: its state, or that it is unknown", async () => {
    const outbox = (notCancellable: Array<{ id: string; state: "sending" }>): OutboxCommands => ({
      enqueue: async () => Promise.reject(new Error("not here")),
      cancel: async () => ({ cancelled: [], notCancellable }),
      get: () => undefined,
      byIdempotencyKey: () => undefined,
    });
    await expect(cancelMessage(outbox([{ id: "m1", state: "sending" }]), "m1", "anna")).rejects.toMatchObject({
      code: "outbox.not_cancellable",
      message: "a sending message cannot be cancelled",
    });
    await expect(cancelMessage(outbox([]), "m9", "anna")).rejects.toMatchObject({ message: "no message m9" });
  });

  it("shows a reminder with its debtor's account and name, and why it waits", () => {
    const m = {
      id: "m1",
      origin: { kind: "dunning", accountId: "A1", invoiceIds: ["I1"], step: "overdue-7", sequence: "s" },
    } as unknown as OutboxMessage;
    const view = messageView(
      {
        clock: { now: () => 0 } as never,
        ledger: { account: (id: string) => (id === "A1" ? ({ name: "Alice" } as never) : undefined) },
        outbox: {
          enqueue: async () => Promise.reject(new Error("not here")),
          cancel: async () => ({ cancelled: [], notCancellable: [] }),
          get: () => undefined,
          byIdempotencyKey: () => undefined,
          list: () => ({ total: 0, items: [] }),
          waitReason: () => ({ code: "window", text: "outside the send window" }) as never,
        },
      },
      m,
      0,
    );
    expect(view).toMatchObject({ accountId: "A1", name: "Alice", wait: { text: "outside the send window" } });
  });

  it("takes a reply's message off the needs-a-person list only when the reply was queued", async () => {
    const handled: string[] = [];
    const s = (status: "queued" | "rate-limited") => ({
      inbound: {
        list: () => ({ total: 0, items: [] }),
        reply: async () => ({ by: "staff" as const, status, at: 0 }),
      },
      desk: {
        inbox: () => ({ total: 0, items: [] }),
        handled: async (id: string) => {
          handled.push(id);
          return { by: "anna", at: 0, how: "replied" as const };
        },
      },
    });
    await replyTo(s("rate-limited"), { to: "+4915100000001", text: "Hi", inboundId: "in_1" }, "anna");
    await replyTo(s("queued"), { to: "+4915100000001", text: "Hi", inboundId: "in_2" }, "anna");
    expect(handled).toEqual(["in_2"]);
  });
});
