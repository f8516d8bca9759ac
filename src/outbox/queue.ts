import type { Clock } from "../core/clock.js";
import type { EventBus } from "../core/bus.js";
import type { Logger } from "../core/log.js";
import type { DomainEvents, MessageStateEvent } from "../api/events.js";
import type { Millis } from "../core/types.js";
import type { DocumentStore, History, RecordJournal, Storage } from "../store/index.js";
import { SendLimits, type SimCounters } from "./limits.js";
import type { MessageState, OutboxMessage } from "./types.js";
import { WaitingOrder, waitsForNextPart } from "./waiting-order.js";
import { eventOrigin } from "./event-origin.js";
import { ACTIVE_MESSAGE_STATES, FINAL_MESSAGE_STATES } from "../core/message-states.js";

export const FINAL: ReadonlySet<MessageState> = new Set(FINAL_MESSAGE_STATES);
export const ACTIVE: ReadonlySet<MessageState> = new Set(ACTIVE_MESSAGE_STATES);

/** The small persisted state beside the messages: the concatenation counter and SIM counters. */
export interface OutboxStateFile {
  version: 1;
  /** Next concatenation reference; persisted so that a restart never reuses a recent one. */
  nextConcatRef: number;
  /** The SIM counters of an outbox without a pool (and of older state files). */
  sim: SimCounters;
  /** Each pooled SIM's counters, by modem id. */
  sims?: Record<string, SimCounters>;
}

export interface QueueDeps {
  /** The data directory's one store (src/store/storage.ts): coalescing and history retention are its settings. */
  store: Storage;
  clock: Clock;
  bus: EventBus<DomainEvents>;
  logger: Logger;
  recentDays: number;
  limitsConfig: ConstructorParameters<typeof SendLimits>[0];
  zone: string;
}

/**
 * The outbox's storage and state changes. Layout under dataDir:
 *   outbox/active/                 the active messages (queued, sending, submitted) as a record
 *                                  journal: log-<gen>.jsonl + snapshot.jsonl (src/store/record-journal.ts)
 *   outbox/state.json              concatenation counter, SIM counters
 *   outbox/outbox-keys-<day>.jsonl idempotency keys ever accepted (append-only)
 *   history/outbox-<day>.jsonl     finished messages (append-only)
 * A change to one message appends that message's record only: bytes per SMS do not depend
 * on the queue length or on the ledger, and changes meeting at the same time share one fsync.
 */
export class Queue {
  /** Finished messages of the last recentDays, for get/list/limits/duplicates. */
  private readonly recent = new Map<string, OutboxMessage>();
  /** Idempotency key -> message id, for every key within the retention. */
  private readonly keys = new Map<string, string>();
  readonly limits: SendLimits;
  /**
   * Messages of a batch admission (enqueueMany) whose write is under way: in the hot set, but
   * not to be picked by the sender until durable (if the write fails they are taken back, and
   * their callers told so: nothing may have gone to the modem meanwhile).
   */
  private readonly admitting = new Set<string>();
  /** Arrival order, for messages accepted in the same millisecond (FIFO within a priority). */
  private readonly arrival = new Map<string, number>();
  private arrivals = 0;
  /** A concatenation reference was taken since the state file was last flushed by persistMessage. */
  private concatRefTaken = false;
  /** The waiting SMS in sending order, kept between picks (waiting-order.ts). */
  private readonly order = new WaitingOrder({
    values: () => this.active.values(),
    pickable: (m) => !this.admitting.has(m.id) && this.active.get(m.id) === m,
    compareAge: (a, b) => this.compareAge(a, b),
    now: () => this.deps.clock.now(),
  });

  private constructor(
    private readonly active: RecordJournal<OutboxMessage>,
    private readonly state: DocumentStore<OutboxStateFile>,
    private readonly history: History<OutboxMessage>,
    private readonly keyLog: History<{ k: string; id: string }>,
    private readonly deps: QueueDeps,
  ) {
    this.limits = new SendLimits(deps.limitsConfig, deps.zone, state.data.sim);
  }

  static async open(deps: QueueDeps): Promise<Queue> {
    const store = deps.store;
    const opts = { logger: deps.logger };
    const active = await store.recordJournal<OutboxMessage>("outbox/active", opts);
    const state = await store.document<OutboxStateFile>(
      "outbox/state.json",
      { version: 1, nextConcatRef: 1, sim: SendLimits.emptySim() },
      opts,
    );
    const history = store.history<OutboxMessage>("history", "outbox", opts);
    const keyLog = store.history<{ k: string; id: string }>("outbox", "outbox-keys", opts);
    const q = new Queue(active, state, history, keyLog, deps);
    await q.load();
    return q;
  }

  private async load(): Promise<void> {
    for await (const r of this.keyLog.read()) this.keys.set(r.k, r.id);
    const since = this.deps.clock.now() - this.deps.recentDays * 86_400_000;
    for await (const m of this.history.read({ from: since })) {
      this.recent.set(m.id, m); // a message appended twice (crash between append and delete) keeps its last record
      this.keys.set(m.idempotencyKey, m.id);
    }
    const stale: string[] = [];
    for (const m of [...this.active.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))) {
      // A crash between the history append and the removal (moveToHistory) leaves the active
      // record as last flushed, often before the final state (its write is coalesced): the
      // history line is then the later record (a message's state list only grows, a retry
      // included; moveToHistory without a state change only sets finishedAt), and the message
      // is finished. Keeping the active one would send a cancelled message, or wait again for
      // the report of a delivered one. An active record as long as its history line and as
      // finished (flushed before the crash), or longer (revived by a retry), is current.
      const done = this.recent.get(m.id);
      if (
        done &&
        (done.history.length > m.history.length ||
          (done.history.length === m.history.length && done.finishedAt !== undefined && m.finishedAt === undefined))
      ) {
        stale.push(m.id);
        continue;
      }
      this.arrival.set(m.id, this.arrivals++);
      this.keys.set(m.idempotencyKey, m.id);
      this.recent.delete(m.id);
    }
    if (stale.length > 0) {
      for (const id of stale) this.active.delete(id);
      await this.active.flush();
      this.deps.logger.warn(
        { ids: stale },
        "outbox: active records older than their history line (a crash before their removal) removed",
      );
    }
    for (const m of [...this.recent.values(), ...this.active.values()]) {
      const first = m.parts
        .map((p) => p.submittedAt)
        .filter((t): t is number => t !== undefined)
        .sort((a, b) => a - b)[0];
      if (first !== undefined) this.limits.recordMessage(m.to, m.limitClass, first);
    }
  }

  /** Sending order within a priority: age, then arrival. */
  compareAge(a: OutboxMessage, b: OutboxMessage): number {
    return a.createdAt - b.createdAt || (this.arrival.get(a.id) ?? 0) - (this.arrival.get(b.id) ?? 0);
  }

  // Queries: the outbox asks for messages by these names, never through the maps behind them.

  /** By id: an active message, or a finished one of the recent days. */
  get(id: string): OutboxMessage | undefined {
    return this.active.get(id) ?? this.recent.get(id);
  }

  /** Every message in memory: the active ones, then the recent finished ones. */
  all(): OutboxMessage[] {
    return [...this.active.values(), ...[...this.recent.values()].filter((m) => !this.active.get(m.id))];
  }

  /** The active messages (queued, sending, submitted), a snapshot of the hot set. */
  activeMessages(): OutboxMessage[] {
    return [...this.active.values()];
  }

  /** The active and the recent finished messages (a part in doubt may belong to either). */
  activeAndRecent(): OutboxMessage[] {
    return [...this.active.values(), ...this.recent.values()];
  }

  /** The message is in the hot set (not finished, or finished but not yet moved). */
  isActive(id: string): boolean {
    return this.active.get(id) !== undefined;
  }

  /**
   * Due work: messages waiting for their next part (queued, or `sending` between parts) that a
   * lane may take, leaving out a batch whose write is under way. Not yet filtered by time,
   * window, limits or channel: each lane asks those itself.
   */
  waitingWork(): OutboxMessage[] {
    return [...this.active.values()].filter((m) => waitsForNextPart(m) && !this.admitting.has(m.id));
  }

  /** The order in which an SMS lane takes waiting work (waiting-order.ts). */
  compareWaiting(a: OutboxMessage, b: OutboxMessage): number {
    return this.order.compare(a, b);
  }

  /** The first waiting SMS in that order (each lane asks once per part). */
  firstWaitingSms(): OutboxMessage | undefined {
    return this.order.first();
  }

  /** Every waiting SMS in that order (a pick whose first choice may not go yet). */
  waitingSmsInOrder(): OutboxMessage[] {
    return this.order.inOrder();
  }

  /** A keyword reply waits and may go now. */
  replyDue(now: Millis): boolean {
    return this.order.replyDue(now);
  }

  /** Active messages the sweeper may expire or end the report window of (a batch under write excepted). */
  sweepable(): OutboxMessage[] {
    return [...this.active.values()].filter((m) => !this.admitting.has(m.id));
  }

  /** The id of the message admitted under this idempotency key, while the key is within the retention. */
  idForKey(key: string): string | undefined {
    return this.keys.get(key);
  }

  /** The key is known: a message was admitted under it (or its admission is under way). */
  hasKey(key: string): boolean {
    return this.keys.has(key);
  }

  /** Reserved before the first await of an admission: a concurrent duplicate sees it and waits. */
  reserveKey(key: string, id: string): void {
    this.keys.set(key, id);
  }

  /** A key whose admission failed or never completed: the next request with it is admitted again. */
  forgetKey(key: string): void {
    this.keys.delete(key);
  }

  /** History lines (finished messages) in the retention, oldest day first; the same id may come twice. */
  readHistory(options: Parameters<History<OutboxMessage>["read"]>[0] = {}): AsyncIterable<OutboxMessage> {
    return this.history.read(options);
  }

  /** The first history line of a message that left the recent days, if any is within the retention. */
  async findInHistory(id: string): Promise<OutboxMessage | undefined> {
    for await (const old of this.history.read({ filter: (r) => r.id === id })) return old;
    return undefined;
  }

  // Changes: not yet durable until one of the persist methods below resolves.

  /** This message changed: its record is written with the next coalesced write (or persist()). */
  markDirty(m: OutboxMessage): void {
    this.active.markDirty(m.id);
    this.order.noteChange(m);
  }

  /** The SIM counters changed: written with the next coalesced write of the state file. */
  markCountersDirty(): void {
    this.state.markDirty();
  }

  /** A batch's messages are in the hot set but not to be picked until their write is durable. */
  holdBatch(ms: readonly OutboxMessage[]): void {
    for (const m of ms) this.admitting.add(m.id);
  }

  /** The batch's write ended (durable, or failed and taken back): its messages may be picked. */
  releaseBatch(ms: readonly OutboxMessage[]): void {
    for (const m of ms) this.admitting.delete(m.id);
    this.order.changed();
  }

  /**
   * An admission whose write failed: its key, its place in the hot set and the message itself
   * are taken back (withdraw() says so on the bus). A record that reached the disk is
   * removed with the next write of the journal (removeRecords()).
   */
  takeBack(m: OutboxMessage, reason: string): void {
    this.keys.delete(m.idempotencyKey);
    this.active.delete(m.id);
    this.withdraw(m, reason);
  }

  /** Writes the removal of taken-back records (best effort: a leftover file is dropped at the next start). */
  async removeRecords(ms: readonly OutboxMessage[]): Promise<void> {
    await this.active.flushRecords(ms.map((m) => m.id)).catch(() => undefined);
  }

  /**
   * A finished message's record changed after it left the hot set (a delivery report settled
   * its part in doubt): kept in the recent days and appended again to the history (durable).
   */
  async appendHistory(m: OutboxMessage): Promise<void> {
    this.recent.set(m.id, m);
    await this.history.append(m);
  }

  /** Records a state change in the message and on the bus (not yet durable: persist()). */
  setState(m: OutboxMessage, state: MessageState, reason?: string): void {
    const at = this.deps.clock.now();
    m.state = state;
    m.history.push(reason ? { state, at, reason } : { state, at });
    if (reason && (state === "failed" || state === "expired" || state === "cancelled")) m.failureReason = reason;
    this.active.markDirty(m.id);
    this.order.noteChange(m);
    this.emit(m, reason, at);
  }

  /** Durable: the changed messages and the state file. */
  async persist(): Promise<void> {
    await Promise.all([this.active.flush(), this.state.flush()]);
  }

  /**
   * Durable: these messages' changes (one append: one fsync for all) and the state
   * file (concatenation reference, SIM counters). Other messages' writes under way are
   * neither waited for nor held up.
   */
  async persistMessage(...ms: OutboxMessage[]): Promise<void> {
    // The state file goes too when a concatenation reference was taken (never reused after a
    // crash). SIM counters alone are written coalesced (markDirty): after a crash they lag by
    // at most the parts of the last flushIntervalMs, and a part's write is not doubled for them.
    const refTaken = this.concatRefTaken;
    this.concatRefTaken = false;
    try {
      await Promise.all([
        this.active.flushRecords(ms.map((m) => m.id)),
        refTaken ? this.state.flush() : Promise.resolve(),
      ]);
    } catch (e) {
      if (refTaken) this.concatRefTaken = true;
      throw e;
    }
  }

  /** Final state: appended to history (durable), then removed from the hot set. */
  async finish(m: OutboxMessage, state: MessageState, reason?: string): Promise<void> {
    m.finishedAt = this.deps.clock.now();
    m.sendingPart = undefined;
    m.nextAttemptAt = undefined;
    this.setState(m, state, reason);
    await this.moveToHistory(m);
  }

  /** Out of the hot set, whatever the state (a submitted one whose reports did not come). */
  async moveToHistory(m: OutboxMessage): Promise<void> {
    m.finishedAt ??= this.deps.clock.now();
    this.recent.set(m.id, m);
    // History first: a crash in between leaves it in both places; the next start drops the active
    // record if it is older than the line (load), or else moves it again (Outbox.recover).
    await this.history.append(m);
    if (m.finishedAt === undefined) return; // revived by retry() while the append was under way
    this.active.delete(m.id);
    this.arrival.delete(m.id);
    await this.active.flush();
  }

  /** A new or revived message: written, and its key journalled, before it resolves. */
  async admit(m: OutboxMessage, newKey: boolean): Promise<void> {
    this.enter(m);
    await this.persistAdmission(m, newKey);
  }

  /**
   * An admission whose write failed: its "queued" event already went out (enter() announces
   * before the write), so a "failed" one follows, saying that it was never stored. The caller
   * got the error; nothing of it is kept.
   */
  withdraw(m: OutboxMessage, reason: string): void {
    m.state = "failed";
    m.failureReason = reason;
    this.emit(m, reason, this.deps.clock.now());
  }

  /** In the hot set, in memory only (synchronous): the sender may choose it before its write starts. */
  enter(m: OutboxMessage): void {
    this.recent.delete(m.id);
    if (!this.arrival.has(m.id)) this.arrival.set(m.id, this.arrivals++);
    this.active.put(m.id, m);
    this.order.changed();
    this.emit(m, undefined, this.deps.clock.now());
  }

  /**
   * Durable when it resolves: this message's record (as it is when the write starts) and its
   * key. Other records' writes under way are not waited for: they are written side by side.
   */
  async persistAdmission(m: OutboxMessage, newKey: boolean): Promise<void> {
    await Promise.all([
      this.active.flushRecords([m.id]),
      newKey ? this.keyLog.append({ k: m.idempotencyKey, id: m.id }) : Promise.resolve(),
    ]);
  }

  /**
   * Durable when it resolves: these new messages' records (one append to the journal, one
   * fsync) and all their keys (one append, one
   * fsync). Settles only when both writes have: a rejection leaves nothing of the batch under way.
   */
  async persistAdmissions(ms: readonly OutboxMessage[]): Promise<void> {
    const outcomes = await Promise.allSettled([
      this.active.flushRecords(ms.map((m) => m.id)),
      this.keyLog.appendMany(ms.map((m) => ({ k: m.idempotencyKey, id: m.id }))),
    ]);
    const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failed) throw failed.reason;
  }

  /** The persisted day and month counters of one SIM (undefined: the single modem's); live objects, written with the state file. */
  simCounters(modemId: string | undefined): SimCounters {
    if (modemId === undefined) return this.state.data.sim;
    const all = (this.state.data.sims ??= {});
    return (all[modemId] ??= SendLimits.emptySim());
  }

  /** The next concatenation reference (1..255 or 1..65535), persisted with the next persist(). */
  takeConcatRef(bits: 8 | 16): number {
    const mod = bits === 16 ? 65536 : 256;
    let ref = this.state.data.nextConcatRef % mod;
    if (ref === 0) ref = 1;
    this.state.data.nextConcatRef = (ref % (mod - 1)) + 1;
    this.state.markDirty();
    this.concatRefTaken = true;
    return ref;
  }

  async rotate(): Promise<void> {
    // One cutoff for both: a day boundary between the two must not leave a key without its message.
    const now = this.deps.clock.now();
    await this.history.rotate(now);
    await this.keyLog.rotate(now);
    const since = this.deps.clock.now() - this.deps.recentDays * 86_400_000;
    for (const [id, m] of this.recent) if ((m.finishedAt ?? m.createdAt) < since) this.recent.delete(id);
  }

  async close(): Promise<void> {
    await this.active.close();
    await this.state.close();
  }

  private emit(m: OutboxMessage, reason: string | undefined, at: Millis): void {
    const refs = m.parts.map((p) => p.reference).filter((r): r is number => r !== undefined);
    const ev: MessageStateEvent = {
      id: m.id,
      idempotencyKey: m.idempotencyKey,
      state: m.state,
      to: m.to,
      origin: eventOrigin(m.origin),
      parts: m.partCount,
      ...(refs.length > 0 ? { references: refs } : {}),
      ...(reason ? { reason } : {}),
      at,
    };
    this.bus.emit("message.state", ev);
  }

  private get bus(): EventBus<DomainEvents> {
    return this.deps.bus;
  }
}
