/** The Ledger on its default persistence (src/store RecordDocument in dataDir/ledger): restarts, crashes, erasure. */
import { describe, it, expect, afterEach } from "vitest";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { Ledger } from "../../src/ledger/ledger.js";

const CHILD = fileURLToPath(new URL("./fixtures/ingest-child.ts", import.meta.url));
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "duegate-ledger-journal-"));
  dirs.push(d);
  return d;
}

const clock = new ManualClock(Date.UTC(2026, 2, 10, 9));
const open = (dataDir: string, journal = { compactMinBytes: 4096, compactRatio: 0.5 }) =>
  Ledger.open({
    dataDir,
    clock,
    bus: new EventBus<DomainEvents>(),
    logger: silentLogger(),
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    journal,
  });
const acct = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  version: 1,
  name: "Jana Schmidt",
  phones: ["0170 1234567"],
  ...over,
});
const inv = (id: string, accountId: string, over: Record<string, unknown> = {}) => ({
  id,
  version: 1,
  accountId,
  amount: 5000,
  issueDate: "2026-03-01",
  dueDate: "2026-03-15",
  ...over,
});

async function allBytes(root: string): Promise<string> {
  let out = "";
  for (const e of await readdir(root, { withFileTypes: true, recursive: true }))
    if (e.isFile()) out += (await readFile(join(e.parentPath, e.name))).toString("latin1");
  return out;
}

describe("ledger journal across restarts", () => {
  it("keeps versions, payments, opt-outs, pauses, disputes and tombstones through replay", async () => {
    const dir = await tempDir();
    const a = await open(dir);
    await a.upsertAccounts([acct("a1", { version: 5 }), acct("a2", { name: "Erik Berg", phones: ["0170 7654321"] })]);
    await a.upsertInvoices([
      inv("i1", "a1", { version: 3 }),
      inv("i2", "a1", { dueDate: "2026-03-20" }),
      inv("i3", "a2"),
    ]);
    await a.recordPayments([{ id: "pay1", accountId: "a1", amount: 7000, date: "2026-03-09" }]);
    await a.setOptOut({ accountId: "a1" }, true, "sms");
    await a.pauseAccount("a1", "2026-04-01", "promise");
    await a.disputeInvoice("i2", "a1", "already paid in cash");
    await a.eraseAccount("a2");
    await a.close();

    const b = await open(dir);
    expect((await b.upsertAccounts([acct("a1", { version: 4, name: "Old" })])).stale).toEqual(["a1"]);
    expect((await b.upsertAccounts([acct("a1", { version: 5, name: "Same" })])).unchanged).toEqual(["a1"]);
    expect((await b.upsertInvoices([inv("i1", "a1", { version: 2, amount: 1 })])).stale).toEqual(["i1"]);
    // The erased account cannot come back with its old version (tombstone), only with a newer one.
    expect((await b.upsertAccounts([acct("a2", { version: 1 })])).stale).toEqual(["a2"]);
    expect(b.account("a1")).toMatchObject({
      name: "Jana Schmidt",
      optedOut: true,
      optOutSource: "sms",
      pausedUntil: "2026-04-01",
      pauseReason: "promise",
    });
    // 7000 paid oldest first: i1 (5000) paid, i2 down to 3000, then disputed.
    expect(b.invoice("i1")).toMatchObject({ status: "paid", amountDue: 0, paidOn: "2026-03-09" });
    expect(b.invoice("i2")).toMatchObject({ status: "disputed", amountDue: 3000, disputeText: "already paid in cash" });
    expect(b.paymentsOf("a1").map((p) => p.id)).toEqual(["pay1"]);
    expect(b.accountsByNumber("+491701234567").map((x) => x.id)).toEqual(["a1"]);
    expect(b.stats()).toMatchObject({
      accounts: 1,
      invoices: 2,
      payments: 1,
      erased: { accounts: 1, invoices: 1, payments: 0 },
    });
    expect((await b.upsertAccounts([acct("a1", { version: 6, name: "Newer" })])).applied).toEqual(["a1"]);
    await b.close();
    const c = await open(dir);
    expect(c.account("a1")?.name).toBe("Newer");
    await c.close();
  });

  it("an erasure leaves none of the account's personal data in any file of the data directory", async () => {
    const dir = await tempDir();
    const a = await open(dir, { compactMinBytes: 1 << 30, compactRatio: 1 });
    await a.upsertAccounts([
      acct("keep", { name: "Kept Debtor", phones: ["0170 5550001"] }),
      acct("gone", { name: "Zelda Quuxbridge", phones: ["0170 9876543"], notes: "moved to Quuxtown" }),
    ]);
    await a.upsertInvoices([inv("g1", "gone", { paymentLink: "https://pay.example/zq-secret" }), inv("k1", "keep")]);
    await a.disputeInvoice("g1", "gone", "Quuxbridge disputes this");
    // Some of it compacted into the snapshot, some only in the logs.
    await (a as unknown as { doc: { compact(): Promise<void> } }).doc.compact();
    await a.upsertAccounts([acct("gone", { version: 2, name: "Zelda Quuxbridge-Smith", phones: ["0170 9876543"] })]);
    const before = await allBytes(dir);
    expect(before).toContain("Quuxbridge");
    expect(before).toContain("9876543");

    expect(await a.eraseAccount("gone")).toBe(true);
    const after = await allBytes(dir);
    for (const s of ["Quuxbridge", "Quuxtown", "9876543", "zq-secret", "disputes this"]) expect(after).not.toContain(s);
    expect(after).toContain("Kept Debtor");
    await a.close();
    const b = await open(dir);
    expect(b.account("gone")).toBeUndefined();
    expect(b.stats().erased).toEqual({ accounts: 1, invoices: 1, payments: 0 });
    await b.close();
  });

  it("imports a ledger.json written by the whole-file store and removes it", async () => {
    const dir = await tempDir();
    const a = await open(dir);
    await a.upsertAccounts([acct("a1")]);
    await a.upsertInvoices([inv("i1", "a1")]);
    const doc = JSON.stringify((a as unknown as { doc: { data: unknown } }).doc.data);
    await a.close();
    const legacyDir = await tempDir();
    await writeFile(join(legacyDir, "ledger.json"), doc);
    const b = await open(legacyDir);
    expect(b.invoicesOf("a1").map((i) => i.id)).toEqual(["i1"]);
    expect((await readdir(legacyDir)).sort()).toEqual(["ledger"]);
    await b.close();
  });
});

describe("ledger journal under kill -9", () => {
  it("after killing the process mid-ingest (compactions running), every acknowledged invoice is there exactly once", async () => {
    const dir = await tempDir();
    const acked = new Set<string>();
    let sent = 0;
    const SIZE = 400;
    for (let round = 0; round < 3; round++) {
      const first = round * 100_000;
      const child = spawn(process.execPath, ["--import", "tsx", CHILD, dir, String(first), "40", String(SIZE)], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => void (stderr += d.toString()));
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      const killAfter = 4 + round * 5;
      let acks = 0;
      for await (const line of createInterface({ input: child.stdout })) {
        const m = /^ack (\d+) (\d+)$/.exec(line);
        if (!m) continue;
        for (let k = 0; k < Number(m[2]); k++) acked.add(`INV${Number(m[1]) + k}`);
        if (++acks === killAfter) {
          child.kill("SIGKILL");
          break;
        }
      }
      const code = await exited;
      expect(code, `child ended by itself: ${stderr}`).toBe(null);
      expect(acks).toBe(killAfter);
      sent += 40 * SIZE;
    }
    const names = await readdir(join(dir, "ledger"));
    expect(names).toContain("snapshot.jsonl");

    const l = await open(dir);
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) ids.push(...l.invoicesOf(`A${i}`).map((x) => x.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(l.stats().invoices);
    const stored = new Set(ids);
    const missing = [...acked].filter((id) => !stored.has(id));
    expect(missing).toEqual([]);
    expect(stored.size).toBeGreaterThanOrEqual(acked.size);
    expect(stored.size).toBeLessThanOrEqual(sent);
    // Replays cleanly again after taking new writes.
    await l.upsertInvoices([
      { id: "AFTER", version: 1, accountId: "A1", amount: 1, issueDate: "2026-01-01", dueDate: "2026-02-01" },
    ]);
    await l.close();
    const again = await open(dir);
    expect(again.stats().invoices).toBe(stored.size + 1);
    await again.close();
  }, 120_000);
});
