/**
 * From a stored inbound message to its effect: route the keyword, run it, enforce the
 * security rules, enqueue the replies ahead of reminders and publish the events. The rules
 * live here, not in the keyword files, so that no keyword can skip them:
 * - a keyword that reads or changes an account runs only for a number on file;
 * - a number on no account gets inbound.unknownNumberReply (default: nothing) and no data;
 * - every automatic reply takes from the per-number and total hourly allowance;
 * - STOP puts the sender's number on the suppression list (on file or not) before anything
 *   else; it opts out only the accounts that have the number on file; START lifts that number;
 * - PAID, PROMISE and DISPUTE from a number on file for no account change nothing and are
 *   kept for staff as unverified;
 * - STOP is stored, and queued messages cancelled, before its confirmation is enqueued.
 * account.optout is published by the ledger for each account it changed (one event, one source).
 */
import type { DomainEvents, KeywordKind } from "../api/events.js";
import type { EventBus } from "../core/bus.js";
import type { Clock } from "../core/clock.js";
import { ErrorCode, errorMessage, isDuegateError } from "../core/errors.js";
import type { Logger } from "../core/log.js";
import { maskNumber } from "../core/mask.js";
import type { Account } from "../ledger/types.js";
import { Priority, type OutboxPort } from "../outbox/types.js";
import type { KeywordOutcome, KeywordSettings, ReplyDraft } from "./keywords/index.js";
import type { InboundConsent, InboundLedger } from "./ports.js";
import type { ReplyLimit } from "./reply-limit.js";
import type { ReplyTexts } from "./replies.js";
import type { KeywordRouter } from "./router.js";
import type { InboundState } from "./state.js";
import type { InboundAction, InboundRecord, ReplyOutcome } from "./types.js";

/**
 * What the settings decide about an answer: the keyword router (aliases), the reply texts
 * (company, support contact), the hourly allowance and the keyword options. Built whole from
 * one config section and never changed afterwards: Inbound.applySettings swaps in a new one, and
 * an SMS is routed and answered with the one it started with.
 */
export interface KeywordRules {
  router: KeywordRouter;
  texts: ReplyTexts;
  limit: ReplyLimit;
  settings: KeywordSettings & { unknownNumberReply: string };
}

export interface ResponderDeps {
  ledger: InboundLedger;
  outbox: OutboxPort;
  bus: EventBus<DomainEvents>;
  clock: Clock;
  logger: Logger;
  state: InboundState;
  /** The suppression list; the composition root always passes it (unit tests may not). */
  consent?: InboundConsent;
}

export class KeywordResponder {
  constructor(private readonly d: ResponderDeps) {}

  /** `number` is the sender in E.164 (undefined: alphanumeric); `accounts` have it on file; `rules` the settings this SMS is answered with. */
  async respond(
    record: InboundRecord,
    number: string | undefined,
    accounts: Account[],
    rules: KeywordRules,
  ): Promise<InboundAction> {
    const { keyword, rest } = rules.router.route(record.text);
    const now = this.d.clock.now();
    const known = accounts.length > 0;
    // Consent first (a number may always opt itself out): durable before any account or reply.
    await this.applyConsent(keyword.kind, record.id, number);
    let outcome: KeywordOutcome;
    let unverified = false;
    if (known || keyword.forUnknownNumbers) {
      outcome = await keyword.handle({
        record,
        rest,
        number,
        accounts,
        ledger: this.d.ledger,
        settings: rules.settings,
        texts: rules.texts,
        now,
      });
    } else if (keyword.changesAccount) {
      unverified = true;
      outcome = {
        summary: `unverified ${keyword.kind}: the sender is on file for no account; nothing changed`,
        replies: [],
        accountIds: [],
        text: record.text,
      };
    } else {
      outcome = {
        summary: "number on no account: nothing done",
        replies: [],
        accountIds: [],
        text: keyword.kind === "unknown" ? record.text : undefined,
      };
    }
    if (!known) {
      // Whatever the keyword drafted, a stranger gets only the configured neutral answer.
      const neutral = rules.settings.unknownNumberReply.trim();
      outcome.replies = neutral ? [{ text: neutral, purpose: "unknown-number" }] : [];
    }

    if (outcome.optOut) await this.applyOptOut(outcome, number, now);
    const replies: ReplyOutcome[] = [];
    for (const draft of outcome.replies)
      replies.push(await this.send(record, keyword.kind, number, outcome.accountIds, draft, rules.limit));

    const action: InboundAction = {
      keyword: keyword.kind,
      summary: outcome.summary,
      accountIds: outcome.accountIds,
      replies,
      at: now,
    };
    if (outcome.promiseDate) action.promiseDate = outcome.promiseDate;
    if (outcome.invoiceIds?.length) action.invoiceIds = outcome.invoiceIds;
    if (outcome.possibleOptOut) action.possibleOptOut = true;
    if (unverified) action.unverified = true;

    this.d.bus.emit("keyword.action", {
      inboundId: record.id,
      keyword: keyword.kind,
      from: record.from,
      accountIds: outcome.accountIds,
      ...(outcome.promiseDate ? { promiseDate: outcome.promiseDate } : {}),
      ...(outcome.text !== undefined ? { text: outcome.text } : {}),
      ...(unverified ? { unverified: true } : {}),
      at: now,
    });
    this.d.logger.info(
      { inboundId: record.id, from: record.from, keyword: keyword.kind, replies: replies.map((r) => r.status) },
      `inbound ${record.id}: ${keyword.kind}, ${outcome.summary}`,
    );
    return action;
  }

  /** STOP suppresses the sender's number; START lifts it (only that number). Throws if not stored: the SMS is acted on again. */
  private async applyConsent(kind: KeywordKind, inboundId: string, number: string | undefined): Promise<void> {
    const consent = this.d.consent;
    if (!consent || !number) return;
    if (kind === "stop") await consent.add(number, { kind: "sms", inboundId, keyword: "stop" });
    else if (kind === "start" && consent.has(number))
      await consent.remove(number, { kind: "sms", inboundId, keyword: "start" });
  }

  private async applyOptOut(outcome: KeywordOutcome, number: string | undefined, now: number): Promise<void> {
    const { accountIds, optedOut } = outcome.optOut!;
    if (optedOut) {
      // US-TCPA-2: nothing queued for these accounts may leave after STOP.
      for (const accountId of accountIds) {
        try {
          await this.d.outbox.cancel({ accountId }, "opted out by SMS");
        } catch (e) {
          this.d.logger.error(
            { accountId, err: errorMessage(e) },
            "inbound: could not cancel queued messages after STOP; dunning must not send to opted-out accounts",
          );
        }
      }
      if (number && this.d.state.stopConfirmed[number] !== undefined) {
        outcome.replies = outcome.replies.filter((r) => r.purpose !== "stop"); // one confirmation until START
      } else if (number && outcome.replies.some((r) => r.purpose === "stop")) {
        this.d.state.stopConfirmed[number] = now;
      }
    } else if (number) {
      delete this.d.state.stopConfirmed[number];
    }
  }

  private async send(
    record: InboundRecord,
    keyword: string,
    number: string | undefined,
    accountIds: string[],
    draft: ReplyDraft,
    limit: ReplyLimit,
  ): Promise<ReplyOutcome> {
    const at = this.d.clock.now();
    if (!number)
      return { by: "auto", status: "not-sent", reason: "sender cannot be answered (not a phone number)", at };
    if (draft.expiresAt !== undefined && draft.expiresAt <= at)
      return { by: "auto", status: "not-sent", reason: "too late to confirm", at };
    if (!limit.take(number, at)) {
      this.d.logger.warn(
        { from: maskNumber(number), inboundId: record.id },
        "inbound: reply limit reached, not answering",
      );
      return { by: "auto", status: "rate-limited", reason: "reply limit reached", at };
    }
    try {
      const r = await this.d.outbox.enqueue({
        idempotencyKey: `inbound:${record.id}:${draft.purpose}`,
        to: number,
        text: draft.text,
        priority: Priority.reply,
        origin: {
          kind: "keyword-reply",
          inboundId: record.id,
          keyword,
          accountIds,
          ...(record.modemId !== undefined ? { modemId: record.modemId } : {}),
        },
        limitClass: "reply",
        ...(draft.expiresAt !== undefined ? { expiresAt: draft.expiresAt } : {}),
        ...(draft.consentExemption === "stop-confirmation"
          ? { consentExemption: { kind: "stop-confirmation" as const, inboundId: record.id } }
          : {}),
      });
      return { by: "auto", status: r.status, outboxId: r.message.id, at };
    } catch (e) {
      // Expected: a number on the suppression list gets no reply but its STOP confirmation.
      if (isDuegateError(e, ErrorCode.OptedOut))
        return { by: "auto", status: "not-sent", reason: "the number opted out", at };
      this.d.logger.error({ inboundId: record.id, err: errorMessage(e) }, "inbound: reply could not be queued");
      return { by: "auto", status: "failed", reason: errorMessage(e), at };
    }
  }
}
