/**
 * What the collections desk keeps beside the domain: the marks a dunning step set on an
 * account (disconnection, hand-off) until a clerk clears them, and which replies a person has
 * handled (by whom, when). The domain only announces the marks as events (account.mark); the
 * desk needs them to stay on screen. An erased account's marks are dropped (ledger.changed with
 * stop "erased"). Opt-outs are not kept here: the Today page reads them from the suppression
 * list and the accounts' consent logs (src/desk/today.ts), so that there is one record of each.
 *
 * One small JSON file (<dataDir>/desk.json), written coalesced: a clerk's click is made
 * durable before the answer (flush), an event within the store's interval.
 */
import type { EventBus } from "../core/bus.js";
import type { Clock } from "../core/clock.js";
import type { Logger } from "../core/log.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import { storeOf, type DocumentStorage, type DocumentStore, type StoreSource } from "../store/index.js";
import type { AccountMarkEvent, DomainEvents } from "../api/events.js";

export type MarkKind = AccountMarkEvent["mark"];
export const MARK_KINDS: readonly MarkKind[] = ["disconnect", "handoff"];

export interface AccountMark {
  accountId: string;
  mark: MarkKind;
  step: string;
  invoiceIds: string[];
  at: number;
}

export interface Handled {
  by: string;
  at: number;
  /** "replied" when a staff reply closed it, "resolved" when a person marked it done. */
  how: "replied" | "resolved";
}

interface DeskDocument {
  version: 1;
  /** accountId -> mark -> the mark as set. */
  marks: Record<string, Partial<Record<MarkKind, AccountMark>>>;
  /** inbound id -> who handled it. */
  handled: Record<string, Handled>;
  /** Written by earlier versions (opt-outs copied from events); dropped at open. */
  optOuts?: unknown;
}

/** Handled markers kept; the inbox holds fewer messages than this (inbound.inboxMemory). */
const HANDLED_MEMORY = 5000;

export interface DeskBookOptions extends StoreSource<DocumentStorage> {
  bus: EventBus<DomainEvents>;
  clock: Clock;
  logger: Logger;
  coalesceMs?: number;
}

export class DeskBook {
  private constructor(
    private readonly store: DocumentStore<DeskDocument>,
    private readonly clock: Clock,
  ) {}

  static async open(opts: DeskBookOptions): Promise<DeskBook> {
    const store = await storeOf(opts, opts.clock, opts.logger).document<DeskDocument>(
      "desk.json",
      { version: 1, marks: {}, handled: {} },
      { logger: opts.logger, coalesceMs: opts.coalesceMs ?? 1000 },
    );
    if ("optOuts" in store.data) {
      delete store.data.optOuts;
      store.markDirty();
    }
    const book = new DeskBook(store, opts.clock);
    opts.bus.on("account.mark", "desk", (e) => book.addMark(e));
    // An erasure request leaves nothing of the account here either (docs/security.md, retention and erasure).
    opts.bus.on("ledger.changed", "desk", (e) => (e.stop === "erased" ? book.forgetAccount(e.accountId) : undefined));
    return book;
  }

  private get doc(): DeskDocument {
    return this.store.data;
  }

  addMark(e: AccountMarkEvent): void {
    const marks = (this.doc.marks[e.accountId] ??= {});
    marks[e.mark] = { accountId: e.accountId, mark: e.mark, step: e.step, invoiceIds: [...e.invoiceIds], at: e.at };
    this.store.markDirty();
  }

  forgetAccount(accountId: string): void {
    delete this.doc.marks[accountId];
    this.store.markDirty();
  }

  /** Every mark not cleared, newest first. */
  marks(accountId?: string): AccountMark[] {
    const source = accountId === undefined ? Object.values(this.doc.marks) : [this.doc.marks[accountId] ?? {}];
    return source
      .flatMap((m) => Object.values(m).filter((x): x is AccountMark => x !== undefined))
      .sort((a, b) => b.at - a.at);
  }

  /** A clerk saw to it (accounting disconnected, the agency has the file, or it was a mistake). */
  async clearMark(accountId: string, mark: MarkKind): Promise<AccountMark> {
    const found = this.doc.marks[accountId]?.[mark];
    if (!found)
      throw new DuegateError(ErrorCode.NotFound, `account ${accountId} has no ${mark} mark`, { accountId, mark });
    const rest = { ...this.doc.marks[accountId] };
    delete rest[mark];
    if (Object.keys(rest).length === 0) delete this.doc.marks[accountId];
    else this.doc.marks[accountId] = rest;
    this.store.markDirty();
    await this.store.flush();
    return found;
  }

  handled(inboundId: string): Handled | undefined {
    return this.doc.handled[inboundId];
  }

  async handle(inboundId: string, by: string, how: Handled["how"]): Promise<Handled> {
    const h: Handled = { by, at: this.clock.now(), how };
    // Re-inserted so that the oldest marker is the first key when the memory is trimmed.
    delete this.doc.handled[inboundId];
    this.doc.handled[inboundId] = h;
    const keys = Object.keys(this.doc.handled);
    for (const k of keys.slice(0, Math.max(0, keys.length - HANDLED_MEMORY))) delete this.doc.handled[k];
    this.store.markDirty();
    await this.store.flush();
    return h;
  }

  /** Back to "needs a person" (handled by mistake). */
  async reopen(inboundId: string): Promise<void> {
    if (!this.doc.handled[inboundId]) return;
    delete this.doc.handled[inboundId];
    this.store.markDirty();
    await this.store.flush();
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
