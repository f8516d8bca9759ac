import type { MessageStateEvent } from "../api/events.js";
import type { Origin } from "./types.js";

/**
 * What the events (message.state, message.refused) say of a message's origin: its kind, and
 * for a reminder or an API send the account (and a reminder's invoices and step). A keyword
 * reply's inbound id and a test's requester stay inside the appliance.
 */
export function eventOrigin(o: Origin): MessageStateEvent["origin"] {
  return {
    kind: o.kind,
    ...(o.kind === "dunning" ? { accountId: o.accountId, invoiceIds: o.invoiceIds, step: o.step } : {}),
    ...(o.kind === "api" && o.accountId ? { accountId: o.accountId } : {}),
  };
}
