import type { App } from "../app.js";
import type { ManualClock } from "../core/clock.js";
import { errorMessage } from "../core/errors.js";
import type { DsoRow } from "../dunning/reports/index.js";
import { localDate } from "../core/calendar.js";

/**
 * `duegate demo --fast`: a simulated month in a few minutes. The whole service runs on a
 * ManualClock that this loop moves forward, so the dunning cron, the send windows, the outbox's
 * limits, the simulator's latencies and the simulated debtors below all live in demo time, while
 * disk writes and sockets stay real. The clock moves in 10-minute steps when idle and 5-second
 * steps while the outbox has work, with a real pause after each step so that a day takes about
 * `dayMs` (the reliability soak test drives the appliance the same way).
 */
export interface TimeLapseOptions {
  days: number;
  /** Real milliseconds a simulated day should take. */
  dayMs: number;
  print: (line: string) => void;
}

export interface TimeLapseSummary {
  from: string;
  to: string;
  days: number;
  reminders: number;
  messages: number;
  parts: number;
  cost: number;
  paidAfterReminder: number;
  promisesMade: number;
  promisesKept: number;
  optOuts: number;
  dsoBefore: DsoRow[];
  dsoAfter: DsoRow[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Behaviour = "pays" | "promises-and-pays" | "promises-and-forgets" | "stops" | "silent";

/** Decided by the account id, so that every run tells the same story. */
export function behaviourOf(accountId: string): Behaviour {
  const n = Number(/\d+/.exec(accountId)?.[0] ?? 0) % 20;
  if (n < 7) return "pays";
  if (n < 9) return "promises-and-pays";
  if (n < 10) return "promises-and-forgets";
  if (n < 11) return "stops";
  return "silent";
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function runTimeLapse(app: App, clock: ManualClock, opts: TimeLapseOptions): Promise<TimeLapseSummary> {
  const { bus, ledger, reports, outbox, modem, logger } = app.services;
  const sim = modem.simulator;
  const from = reports.today();
  const dsoBefore = reports.dso().rows;
  const answered = new Set<string>();
  let promisesMade = 0;
  let promisesKept = 0;

  const later = (ms: number, what: string, fn: () => unknown) =>
    clock.setTimer(ms, () => {
      Promise.resolve()
        .then(fn)
        .catch((e: unknown) => logger.warn({ err: errorMessage(e) }, `time-lapse: ${what} failed`));
    });
  /** Pays every open invoice of the account in full; false when nothing was open. */
  const payAll = async (accountId: string): Promise<boolean> => {
    const open = ledger.invoicesOf(accountId).filter((i) => i.status === "open" && i.amountDue > 0);
    if (open.length === 0) return false;
    await ledger.recordPayments(
      open.map((i) => ({
        id: `PAY-lapse-${i.id}`,
        invoiceId: i.id,
        amount: i.amountDue,
        date: localDate(clock.now(), "UTC"),
      })),
    );
    opts.print(`  $ payment   ${accountId} paid ${open.map((i) => i.number).join(", ")} after a reminder`);
    return true;
  };

  // Each debtor reacts once, to the first reminder delivered to them, in demo time.
  bus.on("message.state", "time-lapse", (m) => {
    const id = m.origin.accountId;
    if (m.state !== "delivered" || m.origin.kind !== "dunning" || !id || answered.has(id)) return;
    answered.add(id);
    const b = behaviourOf(id);
    const spread = (Number(/\d+/.exec(id)?.[0] ?? 0) % 5) * 6 * HOUR;
    if (b === "pays") later(18 * HOUR + spread, "payment", () => payAll(id));
    if (b === "promises-and-pays" || b === "promises-and-forgets") {
      later(2 * HOUR, "promise", () => {
        sim?.injectInbound(m.to, `PROMISE ${localDate(clock.now() + 7 * DAY, "UTC")}`);
        promisesMade++;
      });
      if (b === "promises-and-pays")
        later(4 * DAY + spread, "kept promise", async () => void ((await payAll(id)) && promisesKept++));
    }
    if (b === "stops") later(HOUR, "opt-out", () => sim?.injectInbound(m.to, "STOP"));
  });

  const start = clock.now();
  for (let day = 0; day < opts.days; day++) {
    const end = start + (day + 1) * DAY;
    const pause = Math.max(1, Math.round(opts.dayMs / 144));
    for (let guard = 0; guard < 20_000 && clock.now() < end; guard++) {
      const s = outbox.stats();
      const busy = s.queued + s.sending > 0;
      await clock.advance(Math.min(busy ? 5_000 : 10 * 60_000, end - clock.now()));
      // Real I/O (journal writes, the simulator's answers) gets its turn between steps.
      await sleep(busy ? 3 : pause);
    }
    opts.print(`  ── day ${day + 1} of ${opts.days}: ${localDate(end - DAY, "UTC")} ──`);
  }
  bus.removeAll("time-lapse");

  const to = reports.today();
  const steps = reports.steps({ from, to, withinDays: opts.days });
  const cost = await reports.cost({ from, to });
  return {
    from,
    to,
    days: opts.days,
    reminders: steps.rows.reduce((n, r) => n + r.sent, 0),
    messages: cost.totals.messages,
    parts: cost.totals.parts,
    cost: cost.totals.cost,
    paidAfterReminder: steps.rows.reduce((n, r) => n + r.paidWithin, 0),
    promisesMade,
    promisesKept,
    optOuts: ledger.listAccounts({ limit: 100_000 }).items.filter((a) => a.optedOut).length,
    dsoBefore,
    dsoAfter: reports.dso().rows,
  };
}

/** The summary as console lines. */
export function summaryLines(s: TimeLapseSummary): string[] {
  const dso = s.dsoBefore.map((b) => {
    const a = s.dsoAfter.find((r) => r.currency === b.currency);
    return `${b.currency} ${b.dso ?? "-"} → ${a?.dso ?? "-"} days`;
  });
  return [
    `  time-lapse: ${s.days} simulated days, ${s.from} to ${s.to}`,
    `  reminders sent:         ${s.reminders} (all messages ${s.messages}: ${s.parts} parts, cost ${s.cost.toFixed(2)} at outbox.costPerPart)`,
    `  paid after a reminder:  ${s.paidAfterReminder} of ${s.reminders} reminders had all their invoices paid afterwards`,
    `  promises kept:          ${s.promisesKept} of ${s.promisesMade}`,
    `  opt-outs:               ${s.optOuts}`,
    `  DSO before → after:     ${dso.join(", ") || "-"}`,
  ];
}
