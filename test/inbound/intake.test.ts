import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EventBus } from "../../src/core/bus.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { Inbound } from "../../src/inbound/index.js";
import { ALICE, account, FakeLedger, FakeOutbox, inboundConfig, invoice, pdus, rig, START } from "./fakes.js";

const LONG =
  "DISPUTE " + "The technician never came to install the alarm system, so I will not pay this invoice. ".repeat(3);
const UCS2 = "DISPUTE Счёт неверный, я уже заплатил 😊 — пожалуйста, проверьте. ".repeat(2);

function ledger(): FakeLedger {
  return new FakeLedger().add(account("A1", [ALICE]), invoice("I1", "A1", 1000, "2026-06-20"));
}

describe("multipart and UCS-2", () => {
  it("joins a two-part GSM 7-bit message arriving out of order, and handles it once", async () => {
    const r = await rig({ ledger: ledger() });
    const parts = pdus(ALICE, LONG, { timestamp: START, concatReference: 77 });
    expect(parts).toHaveLength(2);
    for (const p of [...parts].reverse()) await r.inbound.handlePart(p, { hex: "" });
    await r.inbound.idle();
    const [rec] = r.inbound.list({}).items;
    expect(rec).toMatchObject({
      text: LONG,
      parts: 2,
      partsReceived: 2,
      incomplete: false,
      keyword: "dispute",
      accountIds: ["A1"],
    });
    expect(r.ledger.disputes).toHaveLength(1);
  });

  it("joins UCS-2 parts with characters outside the BMP intact", async () => {
    const r = await rig({ ledger: ledger() });
    const parts = pdus(ALICE, UCS2, { timestamp: START, concatReference: 200 });
    expect(parts.length).toBeGreaterThan(1);
    expect(parts[0]!.encoding).toBe("ucs2");
    for (const p of parts) await r.inbound.handlePart(p, { hex: "" });
    await r.inbound.idle();
    expect(r.inbound.list({}).items[0]).toMatchObject({ text: UCS2, encoding: "ucs2", keyword: "dispute" });
  });

  it("keeps a lone part durably (the modem deletes it from the SIM) and finishes the message after a restart", async () => {
    const first = await rig({ ledger: ledger() });
    const [p1, p2] = pdus(ALICE, LONG, { timestamp: START, concatReference: 9 });
    await first.inbound.handlePart(p1!, { hex: "" });
    expect(first.inbound.list({}).total).toBe(0);
    // Crash: only what was flushed survives.
    const second = await rig({
      ledger: first.ledger,
      clock: first.clock,
      state: first.state.afterCrash(),
      history: first.history,
    });
    await second.inbound.handlePart(p2!, { hex: "" });
    expect(second.inbound.list({}).items[0]).toMatchObject({ text: LONG, incomplete: false });
    expect(second.state.data.pending).toEqual([]);
  });

  it("hands out an incomplete message with what arrived after the reassembly timeout", async () => {
    const r = await rig({ ledger: ledger(), config: { reassemblyTimeoutMinutes: 10 } });
    const [p1] = pdus(ALICE, LONG, { timestamp: START, concatReference: 5 });
    await r.inbound.handlePart(p1!, { hex: "" });
    await r.clock.advance(11 * 60_000);
    const [rec] = r.inbound.list({}).items;
    expect(rec).toMatchObject({ incomplete: true, parts: 2, partsReceived: 1 });
    expect(rec!.text).toBe(p1!.text);
    expect(r.events.find((e) => e.event === "inbound.received")!.payload).toMatchObject({
      incomplete: true,
      from: ALICE,
    });
  });
});

describe("the modem an SMS came in on", () => {
  it("keeps the receiving modem of a multipart message, also when its first part waited across a restart", async () => {
    const first = await rig({ ledger: ledger() });
    const [p1, p2] = pdus(ALICE, LONG, { timestamp: START, concatReference: 31 });
    await first.inbound.handlePart(p1!, { hex: "", modemId: "sim2" });
    const second = await rig({
      ledger: first.ledger,
      clock: first.clock,
      state: first.state.afterCrash(),
      history: first.history,
    });
    // The last part carries no modem (a pool of one gives none): the waiting part's is kept.
    await second.inbound.handlePart(p2!, { hex: "" });
    await second.inbound.idle();
    expect(second.inbound.list({}).items[0]).toMatchObject({ text: LONG, modemId: "sim2" });
    expect(second.events.find((e) => e.event === "inbound.received")!.payload).toMatchObject({ modemId: "sim2" });
  });

  it("names it in the origin of the keyword reply that answers the SMS", async () => {
    const r = await rig({ ledger: ledger() });
    const [p] = pdus(ALICE, "BALANCE", { timestamp: START });
    await r.inbound.handlePart(p!, { hex: "", modemId: "sim2" });
    await r.inbound.idle();
    expect(r.outbox.messages).toHaveLength(1);
    expect(r.outbox.messages[0]!.origin).toMatchObject({ kind: "keyword-reply", keyword: "balance", modemId: "sim2" });
  });

  it("keeps it for a message handed out incomplete, and in the history a restart reads", async () => {
    const r = await rig({ ledger: ledger(), config: { reassemblyTimeoutMinutes: 10 } });
    const [p1] = pdus(ALICE, LONG, { timestamp: START, concatReference: 32 });
    await r.inbound.handlePart(p1!, { hex: "", modemId: "sim3" });
    await r.clock.advance(11 * 60_000);
    expect(r.inbound.list({}).items[0]).toMatchObject({ incomplete: true, modemId: "sim3" });
    const again = await rig({ ledger: r.ledger, clock: r.clock, state: r.state.afterCrash(), history: r.history });
    expect(again.inbound.list({}).items[0]).toMatchObject({ incomplete: true, modemId: "sim3" });
  });
});

describe("the same SMS seen twice", () => {
  it("handles a part read twice (stored twice by the modem) once", async () => {
    const r = await rig({ ledger: ledger() });
    const [p] = pdus(ALICE, "BALANCE", { timestamp: START });
    await r.inbound.handlePart(p!, { hex: "", storage: "SM", index: 1 });
    await r.inbound.handlePart(structuredClone(p!), { hex: "", storage: "SM", index: 2 });
    expect(r.history.received()).toBe(1);
    expect(r.outbox.messages).toHaveLength(1);
    expect(r.events.filter((e) => e.event === "inbound.received")).toHaveLength(1);
  });

  it("handles a message read again after a restart, before its delete went through, once", async () => {
    const first = await rig({ ledger: ledger() });
    const parts = pdus(ALICE, LONG, { timestamp: START, concatReference: 12 });
    for (const p of parts) await first.inbound.handlePart(p, { hex: "" });
    const second = await rig({
      ledger: first.ledger,
      clock: first.clock,
      state: first.state.afterCrash(),
      history: first.history,
      outbox: first.outbox,
    });
    for (const p of parts) await second.inbound.handlePart(p, { hex: "" });
    expect(first.history.received()).toBe(1);
    expect(second.ledger.disputes).toHaveLength(1);
    expect(second.inbound.list({}).total).toBe(1);
  });

  it("handles the same words sent twice by the debtor (different SC time stamps) twice", async () => {
    const r = await rig({ ledger: ledger() });
    await r.receive(ALICE, "BALANCE", { timestamp: START });
    await r.receive(ALICE, "BALANCE", { timestamp: START + 30_000 });
    expect(r.history.received()).toBe(2);
    expect(r.outbox.messages).toHaveLength(2);
  });
});

describe("durability", () => {
  it("rejects when the history cannot be written, so the modem keeps the SMS; read again, it is stored once and answered once", async () => {
    const r = await rig({ ledger: ledger() });
    const [p] = pdus(ALICE, "BALANCE", { timestamp: START });
    r.history.failAppend = 1;
    await expect(r.inbound.handlePart(p!, { hex: "" })).rejects.toMatchObject({ code: "store.write" });
    expect(r.history.received()).toBe(0);
    await r.inbound.handlePart(p!, { hex: "" });
    await r.inbound.idle();
    expect(r.history.received()).toBe(1);
    // The reply may have been queued before the write failed; its idempotency key makes the second one a duplicate.
    expect(r.outbox.messages).toHaveLength(1);
  });

  it("rejects a lone part when the hot file cannot be flushed, and takes it again later", async () => {
    const r = await rig({ ledger: ledger() });
    const [p1, p2] = pdus(ALICE, LONG, { timestamp: START, concatReference: 3 });
    r.state.failFlush = 1;
    await expect(r.inbound.handlePart(p1!, { hex: "" })).rejects.toMatchObject({ code: "store.write" });
    expect(r.state.data.pending).toEqual([]);
    await r.inbound.handlePart(p1!, { hex: "" });
    await r.inbound.handlePart(p2!, { hex: "" });
    expect(r.inbound.list({}).items[0]!.text).toBe(LONG);
  });

  it("redoes an action that failed (ledger unavailable) on the next sweep, without a second record", async () => {
    const r = await rig({ ledger: ledger() });
    r.ledger.failNext = 1;
    await r.receive(ALICE, "PAID");
    expect(r.ledger.pauses).toHaveLength(0);
    expect(r.inbound.list({ needsStaff: true }).total).toBe(1);
    await r.clock.advance(60_000);
    expect(r.ledger.pauses).toHaveLength(1);
    expect(r.history.received()).toBe(1);
    expect(r.inbound.list({ needsStaff: true }).total).toBe(0);
  });

  it("works on the real files: a restart keeps the inbox, the dedup keys and the reply counts", async () => {
    const dir = await mkdtemp(join(tmpdir(), "duegate-inbound-"));
    try {
      const clock = new ManualClock(START);
      const led = ledger();
      const outbox = new FakeOutbox(clock);
      const open = () =>
        Inbound.open({
          dataDir: dir,
          clock,
          bus: new EventBus<DomainEvents>(),
          logger: silentLogger(),
          config: inboundConfig({ replyLimitPerHour: 1 }),
          ledger: led,
          outbox,
          storage: { flushIntervalMs: 10 },
        });
      const a = await open();
      await a.start();
      const [p] = pdus(ALICE, "BALANCE", { timestamp: START });
      await a.handlePart(p!, { hex: "" });
      await a.stop();
      const b = await open();
      await b.start();
      await b.handlePart(p!, { hex: "" }); // read again from the SIM
      await clock.advance(1000);
      await b.handlePart(pdus(ALICE, "BALANCE", { timestamp: START + 1000 })[0]!, { hex: "" });
      expect(b.list({}).total).toBe(2);
      expect(outbox.messages).toHaveLength(1); // the second one is over the restored limit of 1 an hour
      expect(b.list({}).items[0]!.action!.replies[0]!.status).toBe("rate-limited");
      await b.stop();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
