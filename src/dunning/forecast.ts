/**
 * The forward calendar: who gets which step on which day over the next N days, from the same
 * planner that decides, run day by day over an overlay of the step memory (each planned send
 * is assumed to happen; no payment is assumed).
 */
import type { Ledger } from "../ledger/ledger.js";
import type { Account } from "../ledger/types.js";
import { fromDayNumber, localNow } from "../ledger/dates.js";
import { planAccount, type CompiledSequence, type PlanSettings } from "./planner.js";
import { NO_DAY, type InvoiceSteps, type StepCover, type StepMemoryView } from "./step-memory.js";
import { composeReminder, type Sender } from "./compose.js";
import { measureText } from "./text-measure.js";

export interface PlannedReminder {
  date: string;
  accountId: string;
  invoiceIds: string[];
  step: string;
  sequence: string;
  template: string;
  consolidated: boolean;
  /** Minor units, at today's amounts. */
  amountDue: number;
  currency: string;
  mark?: "disconnect" | "handoff";
  text?: string;
  parts?: number;
  cost?: number;
}

export interface ForecastDeps {
  ledger: Ledger;
  memory: StepMemoryView;
  settings: PlanSettings;
  sequences: Map<string, CompiledSequence>;
  now: number;
  zoneOf: (a: Account) => string;
  sender: Sender;
  costPerPart: number;
}

class OverlayMemory implements StepMemoryView {
  private readonly invoices = new Map<string, InvoiceSteps>();
  private readonly accounts = new Map<string, number>();
  constructor(private readonly base: StepMemoryView) {}
  invoice(id: string): InvoiceSteps | undefined {
    return this.invoices.get(id) ?? this.base.invoice(id);
  }
  lastMessageDay(accountId: string): number | undefined {
    return this.accounts.get(accountId) ?? this.base.lastMessageDay(accountId);
  }
  mark(covers: readonly StepCover[], accountId: string | undefined, day: number, state: "sent" | "skipped"): void {
    for (const c of covers) {
      const cur = this.invoice(c.invoiceId);
      const next: InvoiceSteps = { steps: { ...(cur?.steps ?? {}), [c.stepId]: state }, lastDay: Math.max(cur?.lastDay ?? NO_DAY, c.stepDay) };
      this.invoices.set(c.invoiceId, next);
    }
    if (accountId) this.accounts.set(accountId, day);
  }
}

export function forecast(d: ForecastDeps, days: number, opts: { render?: boolean; accountId?: string } = {}): PlannedReminder[] {
  const horizon = Math.max(1, Math.min(366, Math.floor(days)));
  const overlay = new OverlayMemory(d.memory);
  const out: PlannedReminder[] = [];
  const starts = new Map<string, number>();
  const entries = opts.accountId ? [[d.ledger.account(opts.accountId), d.ledger.invoicesOf(opts.accountId)] as const].filter((e): e is readonly [Account, ReturnType<Ledger["invoicesOf"]>] => e[0] !== undefined) : [...d.ledger.accountsWithInvoices()];
  for (let offset = 0; offset < horizon; offset++) {
    for (const [account, invoices] of entries) {
      const zone = d.zoneOf(account);
      let start = starts.get(zone);
      if (start === undefined) starts.set(zone, (start = localNow(d.now, zone).day));
      const day = start + offset;
      // The whole day: steps later today are part of today's calendar.
      const plan = planAccount(account, invoices, day, 24 * 60, d.settings, d.sequences, overlay);
      for (const s of plan.skips) overlay.mark([{ invoiceId: s.invoiceId, stepId: s.stepId, stepDay: s.stepDay }], undefined, day, "skipped");
      for (const send of plan.sends) {
        overlay.mark(send.covers, account.id, day, "sent");
        const r: PlannedReminder = {
          date: fromDayNumber(day),
          accountId: account.id,
          invoiceIds: send.invoices.map((i) => i.id),
          step: send.step.id,
          sequence: send.sequence,
          template: send.templateId,
          consolidated: send.consolidated,
          amountDue: send.invoices.reduce((sum, i) => sum + i.amountDue, 0),
          currency: send.currency,
          ...(send.step.mark ? { mark: send.step.mark } : {}),
        };
        if (opts.render) {
          const text = composeReminder(d.settings.policy, send.templateId, account, send.invoices, invoices, send.currency, day, d.sender);
          const m = measureText(text.text, account.locale);
          r.text = m.text;
          r.parts = m.parts;
          r.cost = Math.round(m.parts * d.costPerPart * 10_000) / 10_000;
        }
        out.push(r);
      }
    }
  }
  return out.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.accountId < b.accountId ? -1 : a.accountId > b.accountId ? 1 : 0));
}
