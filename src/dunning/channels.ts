/**
 * Which channels one reminder goes by (docs/policy.md, "Channels"): the step's channels, the
 * account's preference, what it has on file and what it has opted out of. The first channel
 * returned is the reminder's own (its step record follows it); a second is a copy.
 */
import type { Account, ChannelPreference } from "../ledger/types.js";
import type { Channel } from "../outbox/types.js";

export interface ChannelOptions {
  /** email.enabled: without it every reminder is an SMS, as before e-mail existed. */
  emailEnabled: boolean;
  /** email.stopAlsoStopsEmail: STOP by SMS stops e-mail too. */
  stopAlsoStopsEmail: boolean;
}

type Reach = Pick<Account, "phones" | "emails" | "channel" | "optedOut" | "emailOptedOut">;

export function smsReachable(a: Reach): boolean {
  return a.phones.length > 0 && !a.optedOut;
}

export function emailReachable(a: Reach, o: ChannelOptions): boolean {
  return (
    o.emailEnabled && (a.emails?.length ?? 0) > 0 && a.emailOptedOut !== true && !(a.optedOut && o.stopAlsoStopsEmail)
  );
}

/** Some channel may reach the account on some step (the planner skips accounts that none can). */
export function reachable(a: Reach, o: ChannelOptions): boolean {
  return smsReachable(a) || emailReachable(a, o);
}

const wantsEmail = (p: ChannelPreference): boolean => p !== "sms";

/** The channels for a step, primary first; empty when nothing can reach the account. */
export function channelsFor(stepChannels: readonly Channel[] | undefined, a: Reach, o: ChannelOptions): Channel[] {
  const sms = smsReachable(a);
  const email = emailReachable(a, o);
  const pref: ChannelPreference = a.channel ?? "sms";
  const step = stepChannels && stepChannels.length > 0 ? stepChannels : (["sms"] as const);
  const out: Channel[] = [];
  const add = (c: Channel): void => {
    if (!out.includes(c)) out.push(c);
  };
  if (step.includes("sms") && step.includes("email")) {
    if (sms) add("sms");
    if (email) add("email");
  } else if (step[0] === "email") {
    // A formal notice by e-mail; an account without a usable address still gets it by SMS.
    if (email) add("email");
    else if (sms) add("sms");
  } else if (pref === "email") {
    if (email) add("email");
    else if (sms) add("sms");
  } else if (pref === "both") {
    if (sms) add("sms");
    if (email) add("email");
  } else if (sms) {
    add("sms");
  } else if (email && (a.phones.length === 0 || wantsEmail(pref))) {
    // No mobile number: e-mail is all there is. Opted out of SMS: e-mail only if the account asked for it.
    add("email");
  }
  return out;
}

/** sms-then-email: the same reminder by e-mail after its SMS failed permanently. */
export function fallbackToEmail(a: Reach, o: ChannelOptions): boolean {
  return a.channel === "sms-then-email" && emailReachable(a, o);
}
