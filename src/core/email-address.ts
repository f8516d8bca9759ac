/**
 * The one rule for an e-mail address, used by the ledger (accounts' emails), the outbox (a
 * message's recipient) and the config (from, replyTo). Deliberately narrower than RFC 5321:
 * a dot-atom local part and a domain of labels, no quoted strings, no comments, no IP literals.
 * What matters most is what it refuses: CR, LF, spaces, commas and angle brackets, so that an
 * address from accounting can never add a header or a second recipient to a mail.
 */
const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

export type EmailCheck = { ok: true; address: string } | { ok: false; reason: string };

/** Trims, lower-cases the domain (the local part is the receiver's business) and checks the shape. */
export function checkEmailAddress(input: unknown): EmailCheck {
  if (typeof input !== "string") return { ok: false, reason: "not a string" };
  const s = input.trim();
  if (s.length === 0) return { ok: false, reason: "empty" };
  if (s.length > 254) return { ok: false, reason: "longer than 254 characters" };
  if (/[\r\n\s,<>]/.test(s))
    return { ok: false, reason: "not one address (it contains a space, a line break, a comma or an angle bracket)" };
  const at = s.lastIndexOf("@");
  if (at <= 0 || at === s.length - 1) return { ok: false, reason: "not of the form name@domain" };
  const local = s.slice(0, at);
  const domain = s.slice(at + 1).toLowerCase();
  if (local.length > 64 || !LOCAL.test(local))
    return { ok: false, reason: `"${local}" is not a valid name part before the @` };
  const labels = domain.split(".");
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l)) || /^\d+$/.test(labels[labels.length - 1]!))
    return { ok: false, reason: `"${domain}" is not a domain name` };
  return { ok: true, address: `${local}@${domain}` };
}

/** For logs: the first letter of the name and the domain (an address is personal data, as a number is). */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf("@");
  if (at <= 0) return "***";
  return `${address[0]}***@${address.slice(at + 1)}`;
}
