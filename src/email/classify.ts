/**
 * What a failed SMTP session means (docs/email.md, "Failure classes"). The outbox needs two
 * answers: retry or give up (EmailTemporary / EmailRejected), and whether the relay itself is at
 * fault (connectionLevel: every mail would fail alike, so the lane pauses). The panel's "send
 * test mail" needs a third: which of the usual setup mistakes it is (failureClass).
 */
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";

export type FailureClass =
  | "connection-refused"
  | "timeout"
  | "dns"
  | "tls"
  | "authentication"
  | "relay-denied"
  | "sender-refused"
  | "temporary"
  | "rejected"
  | "unknown";

/** The fields nodemailer puts on its errors (SMTPConnection.SMTPError), read defensively. */
interface SmtpErrorLike {
  code?: unknown;
  responseCode?: unknown;
  response?: unknown;
  command?: unknown;
  message?: unknown;
}

const HINTS: Record<FailureClass, string> = {
  "connection-refused":
    "nothing accepts connections at email.host:email.port (wrong host or port, relay down, firewall)",
  timeout:
    "the relay did not answer in time (email.connectionTimeoutMs, email.socketTimeoutMs; firewall dropping packets?)",
  dns: "email.host does not resolve",
  tls: "the TLS handshake failed (email.secure: tls for port 465, starttls for 587; email.ca or email.rejectUnauthorized for a private certificate)",
  authentication: "the relay refused the login (email.user, email.password)",
  "relay-denied":
    "the relay does not forward mail for this recipient from this client (allow the appliance's address or log in with email.user)",
  "sender-refused": "the relay refuses email.from as sender (use an address of a domain the relay sends for)",
  temporary: "the relay asked to try again later",
  rejected: "the receiving side refused this mail",
  unknown: "unexpected error",
};

function classOf(e: SmtpErrorLike): { failureClass: FailureClass; permanent: boolean; connectionLevel: boolean } {
  const code = typeof e.code === "string" ? e.code : "";
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  const command = typeof e.command === "string" ? e.command.toUpperCase() : "";
  const text = `${typeof e.response === "string" ? e.response : ""} ${typeof e.message === "string" ? e.message : ""}`;
  if (code === "EAUTH" || reply === 535 || reply === 534 || reply === 530)
    return { failureClass: "authentication", permanent: false, connectionLevel: true };
  if (code === "ETLS" || /certificate|self[- ]signed|SSL|TLS|wrong version number/i.test(text))
    return { failureClass: "tls", permanent: false, connectionLevel: true };
  if (/ECONNREFUSED/.test(text) || code === "ECONNREFUSED")
    return { failureClass: "connection-refused", permanent: false, connectionLevel: true };
  if (code === "EDNS" || /ENOTFOUND|EAI_AGAIN/.test(text))
    return { failureClass: "dns", permanent: false, connectionLevel: true };
  if (code === "ETIMEDOUT" || /timeout|timed out/i.test(text))
    return { failureClass: "timeout", permanent: false, connectionLevel: true };
  if (reply !== undefined && reply >= 500 && reply < 600) {
    // A 5xx to MAIL FROM or before it says the relay will take no mail from us: a setup fault
    // that every mail shares, retried (bounded) rather than failing the whole queue at once.
    if (command.startsWith("MAIL")) return { failureClass: "sender-refused", permanent: false, connectionLevel: true };
    if (/relay/i.test(text)) return { failureClass: "relay-denied", permanent: true, connectionLevel: false };
    return { failureClass: "rejected", permanent: true, connectionLevel: false };
  }
  if (reply !== undefined && reply >= 400 && reply < 500)
    return { failureClass: "temporary", permanent: false, connectionLevel: command === "CONN" || command === "" };
  // The connection dropped (ECONNECTION, ESOCKET, "Connection closed"): the relay vanished mid-session.
  if (code === "ECONNECTION" || code === "ESOCKET" || /closed|ECONNRESET|EPIPE/i.test(text))
    return { failureClass: "temporary", permanent: false, connectionLevel: true };
  return { failureClass: "unknown", permanent: false, connectionLevel: true };
}

/** The relay's answer as a DuegateError the outbox understands, with the server's words kept. */
export function classifySmtpError(e: unknown): DuegateError {
  if (e instanceof DuegateError) return e;
  const s: SmtpErrorLike = typeof e === "object" && e !== null ? (e as SmtpErrorLike) : { message: String(e) };
  const c = classOf(s);
  const server = typeof s.response === "string" && s.response !== "" ? s.response : errorMessage(e);
  const reply = typeof s.responseCode === "number" ? s.responseCode : undefined;
  const message = `${c.failureClass}: ${server}${c.failureClass === "temporary" || c.failureClass === "rejected" ? "" : ` (${HINTS[c.failureClass]})`}`;
  return new DuegateError(c.permanent ? ErrorCode.EmailRejected : ErrorCode.EmailTemporary, message, {
    failureClass: c.failureClass,
    connectionLevel: c.connectionLevel,
    ...(reply !== undefined ? { smtpCode: reply } : {}),
    ...(typeof s.command === "string" ? { command: s.command } : {}),
    hint: HINTS[c.failureClass],
  });
}
