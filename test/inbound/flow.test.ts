/**
 * End to end on the simulator: an SMS arrives at the simulated modem (+CMTI), the modem
 * driver reads it, inbound stores and answers it, the outbox sends the answer back through
 * the same modem (AT+CMGS), and the SMS is deleted from the SIM only after it was stored.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Priority } from "../../src/outbox/index.js";
import { debtorNumber, startStack, waitFor, type Stack } from "./stack.js";

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function queueReminders(s: Stack, count: number, firstDebtor: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const d = firstDebtor + i;
    await s.outbox.enqueue({
      idempotencyKey: `INV-${d}:step1`,
      to: debtorNumber(d),
      text: `Acme Alarm: invoice INV-${d} is overdue. Reply STOP to opt out.`,
      priority: Priority.reminder,
      origin: {
        kind: "dunning",
        accountId: `ACC-${100000 + d}`,
        invoiceIds: [`INV-${d}`],
        step: "step1",
        policyVersion: 1,
      },
    });
  }
}

describe("inbound on the simulator", () => {
  it("answers BALANCE through the modem: +CMTI → read → stored → reply AT+CMGS → deleted", async () => {
    stack = await startStack({ debtors: 3 });
    const s = stack;
    s.sim.injectInbound(debtorNumber(1), "Saldo?");
    await waitFor(() => s.sim.sent.some((m) => m.to === debtorNumber(1)), "the reply to leave the modem");
    const reply = s.sim.sent.find((m) => m.to === debtorNumber(1))!;
    expect(reply.text).toBe("Acme Alarm, Konto ***0001: 100,01 € offen, fällig ab 01.02.2026.");
    await s.modem.inboxIdle();
    expect(s.sim.storage.used("SM")).toBe(0);
    const [rec] = s.inbound.list({}).items;
    expect(rec).toMatchObject({
      from: debtorNumber(1),
      text: "Saldo?",
      accountIds: ["ACC-100001"],
      keyword: "balance",
    });
    expect(rec!.action!.replies[0]).toMatchObject({ status: "queued", outboxId: expect.any(String) });
    const msg = s.outbox.get(rec!.action!.replies[0]!.outboxId!);
    expect(msg).toMatchObject({ priority: Priority.reply, limitClass: "reply" });
  });

  it("takes a multipart UCS-2 DISPUTE through the modem and holds the account", async () => {
    stack = await startStack({ debtors: 2 });
    const s = stack;
    const text = "DISPUTE Счёт INV-0 неверный, я уже всё заплатил — проверьте, пожалуйста. ".repeat(2);
    s.sim.injectInbound(debtorNumber(0), text, { encoding: "ucs2" });
    await waitFor(() => s.inbound.list({}).total === 1 && s.sim.sent.length === 1, "the dispute and its confirmation");
    expect(s.inbound.list({}).items[0]).toMatchObject({
      text,
      encoding: "ucs2",
      keyword: "dispute",
      incomplete: false,
    });
    expect(s.ledger.invoicesOf("ACC-100000")[0]!.status).toBe("disputed");
  });

  it("stores and answers a burst of 100 inbound SMS while a reminder batch is sending, replies ahead of reminders", async () => {
    stack = await startStack({ debtors: 300, sendLatencyMs: 5 });
    const s = stack;
    await queueReminders(s, 150, 150);
    await waitFor(() => s.sim.sent.length >= 5, "the reminder batch to start");
    // 100 debtors ask at once, in tens (the SIM holds 30; the network keeps the rest and retries).
    for (let i = 0; i < 100; i += 10) {
      for (let j = i; j < i + 10; j++)
        s.sim.injectInbound(debtorNumber(j), j % 3 === 0 ? "BALANCE" : j % 3 === 1 ? "help" : "PROMISE friday");
      await new Promise((r) => setTimeout(r, 10));
    }
    await waitFor(() => s.inbound.list({}).total === 100, "all 100 to be stored", 30_000);
    await waitFor(() => s.sim.sent.filter((m) => Number(m.to.slice(-6)) < 100).length === 100, "100 replies", 30_000);
    await waitFor(() => s.sim.sent.length === 250, "every reminder too", 30_000);
    await s.modem.inboxIdle();
    expect(s.sim.storage.used("SM")).toBe(0);
    expect(new Set(s.inbound.list({ limit: 500 }).items.map((i) => i.from)).size).toBe(100);
    // Replies overtook the queued reminders: reminders were still waiting when the last reply left.
    const sent = s.sim.sent.map((m) => (Number(m.to.slice(-6)) < 100 ? "reply" : "reminder"));
    const lastReply = sent.lastIndexOf("reply");
    expect(sent.slice(lastReply).filter((k) => k === "reminder").length).toBeGreaterThan(0);
    const kinds = s.inbound.list({ limit: 500 }).items.map((i) => i.keyword);
    expect(kinds.filter((k) => k === "balance")).toHaveLength(34);
    expect(kinds.filter((k) => k === "promise")).toHaveLength(33);
  }, 60_000);
});
