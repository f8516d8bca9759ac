/**
 * A fingerprint of everything a refused request must leave alone: accounts, invoices,
 * messages, inbound records, users, API keys and the policy in force. Two equal
 * fingerprints mean "state unchanged".
 */
import type { AppServices } from "../../../src/app-services.js";
import type { AuthService } from "../../../src/auth/index.js";
import { everything } from "./tools.js";

export interface StateOwner {
  app: { services: AppServices };
  auth?: AuthService;
}

export function applianceState(o: StateOwner): string {
  const s = o.app.services;
  const accounts = everything((p) => s.ledger.listAccounts(p));
  const invoices = accounts.flatMap((acc) => s.ledger.invoicesOf(acc.id));
  const messages = everything((p) => s.outbox.list(p)).map((m) => ({
    id: m.id,
    state: m.state,
    to: m.to,
    text: m.text,
    key: m.idempotencyKey,
  }));
  const inbound = everything((p) => s.inbound.list(p)).map((r) => r.id);
  return JSON.stringify({
    accounts,
    invoices,
    messages,
    inbound,
    users: o.auth?.users() ?? null,
    apiKeys: o.auth?.apiKeys().map((k) => ({ id: k.id, scopes: k.scopes })) ?? null,
    policy: s.dunning.policy(),
  });
}
