import { describe, expect, it } from "vitest";
import { ALICE, account, FakeLedger, invoice, pdus, rig, STRANGER } from "./fakes.js";

/** Inbound tells the outbox when an SMS part gets no reply, so that reminders stop waiting for one. */
describe("onNoReply", () => {
  const ledger = () => new FakeLedger().add(account("A1", [ALICE]), invoice("I1", "A1", 1000, "2026-06-20"));

  it("is not called when a reply is queued", async () => {
    let calls = 0;
    const r = await rig({ ledger: ledger(), onNoReply: () => calls++ });
    await r.receive(ALICE, "BALANCE");
    expect(r.outbox.messages).toHaveLength(1);
    expect(calls).toBe(0);
  });

  it("is called for a number on no account (no answer configured), a part of a longer SMS and a part seen before", async () => {
    let calls = 0;
    const r = await rig({ ledger: ledger(), onNoReply: () => calls++ });
    await r.receive(STRANGER, "BALANCE");
    expect(r.outbox.messages).toHaveLength(0);
    expect(calls).toBe(1);

    const parts = pdus(ALICE, "DISPUTE " + "The technician never came. ".repeat(8), {
      timestamp: r.clock.now(),
      concatReference: 9,
    });
    expect(parts.length).toBeGreaterThan(1);
    await r.inbound.handlePart(parts[0]!, { hex: "" }); // waits for its sibling
    expect(calls).toBe(2);
    await r.inbound.handlePart(parts[0]!, { hex: "" }); // read again from the SIM
    expect(calls).toBe(3);
    for (const p of parts.slice(1)) await r.inbound.handlePart(p, { hex: "" });
    await r.inbound.idle();
    expect(r.outbox.messages.length).toBeGreaterThan(0); // the dispute is confirmed: no call for the last part
    expect(calls).toBe(3 + parts.length - 2);
  });
});
