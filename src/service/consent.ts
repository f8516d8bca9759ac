/**
 * Opt-outs for every adapter: by account (the account's flag) or by number (the suppression
 * list, then every account with the number on file), from MQTT, the REST API or a person in the
 * panel; the same ledger and consent calls, so the records and events are the same whichever asked
 * (docs/security.md, "Consent").
 */
import type { OptOutChange } from "../api/payloads.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { ConsentSource, SuppressionResult } from "../consent/types.js";
import type { ConsentCommands, LedgerCommands, Source } from "./ports.js";

/** Who asked for a change: the way in, and the name of the client, key or person. */
export interface Requester {
  via: Source;
  by: string;
  /** A person logged in to the panel, rather than a machine client. */
  person?: boolean;
}

/** How the ledger and the suppression list record the requester. */
function sources(r: Requester): { ledger: Source | "panel"; consent: ConsentSource } {
  if (r.person) return { ledger: "panel", consent: { kind: "panel", user: r.by } };
  return { ledger: r.via, consent: { kind: "api", via: r.via, by: r.by } };
}

/**
 * An opt-out change. By account: that account's flag. By number: the number also goes on (or
 * comes off) the suppression list, so that it holds for every send to it and for accounts
 * stored with it later.
 */
export async function changeOptOut(
  s: { ledger: LedgerCommands; consent: ConsentCommands },
  req: OptOutChange,
  requester: Requester,
): Promise<string[]> {
  if ((req.accountId === undefined) === (req.number === undefined))
    throw new DuegateError(ErrorCode.Validation, "give accountId or number, not both", { field: "/accountId" });
  const src = sources(requester);
  if (req.accountId !== undefined) return s.ledger.setOptOut({ accountId: req.accountId }, req.optedOut, src.ledger);
  if (req.optedOut) return (await suppressNumber(s, req.number!, requester)).accountIds;
  if (s.consent.has(req.number!)) await s.consent.remove(req.number!, src.consent);
  return s.ledger.setOptOut({ number: req.number! }, false, src.ledger);
}

/**
 * A number on the suppression list: durable on the list first, then every account with the
 * number on file is opted out too (so dunning plans nothing for it).
 */
export async function suppressNumber(
  s: { ledger: LedgerCommands; consent: ConsentCommands },
  number: string,
  requester: Requester,
  reason?: string,
): Promise<SuppressionResult & { accountIds: string[] }> {
  const src = sources(requester);
  const r = await s.consent.add(number, src.consent, reason);
  const accountIds = await s.ledger.setOptOut({ number: r.record.number }, true, src.ledger);
  return { ...r, accountIds };
}

/** Lifts a number's suppression (the accounts' own opt-out stays as it is). */
export async function unsuppressNumber(
  s: { consent: ConsentCommands },
  number: string,
  requester: Requester,
  reason?: string,
): Promise<SuppressionResult> {
  return s.consent.remove(number, sources(requester).consent, reason);
}
