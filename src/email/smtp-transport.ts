/**
 * The SMTP adapter behind the outbox's EmailTransport port (src/outbox/types.ts), on
 * nodemailer. One connection per mail, no pool: at the rates a dunning run needs (email.ratePerMinute)
 * a pool saves little, and a relay that restarts mid-batch then costs one attempt, not a broken
 * pool. Every failure is classified (src/email/classify.ts) with the server's own answer.
 */
import { readFileSync } from "node:fs";
import { isIP } from "node:net";
import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { Config } from "../config/schema.js";
import { DuegateError, ErrorCode } from "../core/errors.js";
import type { EmailTransport, OutgoingMail } from "../outbox/types.js";
import { classifySmtpError } from "./classify.js";

export type EmailConfig = Config["email"];

/** nodemailer's options for the configured relay. */
export function smtpOptions(c: EmailConfig): SMTPTransport.Options {
  const ca = c.ca ? readFileSync(c.ca, "utf8") : undefined;
  return {
    host: c.host,
    port: c.port,
    secure: c.secure === "tls",
    requireTLS: c.secure === "starttls",
    ignoreTLS: c.secure === "none",
    ...(c.user ? { auth: { user: c.user, pass: c.password } } : {}),
    // SNI names a host, never an address (RFC 6066).
    tls: {
      rejectUnauthorized: c.rejectUnauthorized,
      ...(ca ? { ca } : {}),
      ...(isIP(c.host) ? {} : { servername: c.host }),
    },
    connectionTimeout: c.connectionTimeoutMs,
    greetingTimeout: c.greetingTimeoutMs,
    socketTimeout: c.socketTimeoutMs,
    // nodemailer logs nothing unless given a logger; the outbox logs each outcome itself (addresses masked).
    logger: false,
    debug: false,
  };
}

/** The relay settings a mail cannot go without; throws EmailNotConfigured naming the key. */
function checked(c: EmailConfig): EmailConfig {
  if (!c.host)
    throw new DuegateError(ErrorCode.EmailNotConfigured, "email.host is empty: name the SMTP relay", {
      field: "email.host",
    });
  if (!c.from)
    throw new DuegateError(ErrorCode.EmailNotConfigured, "email.from is empty: name the sender address", {
      field: "email.from",
    });
  return c;
}

/** The From header: "Company <billing@example.com>" (the name quoted by nodemailer). */
function fromOf(c: EmailConfig, companyName: string): { name: string; address: string } {
  return { name: c.fromName || companyName, address: c.from };
}

export class SmtpTransport implements EmailTransport {
  private transporter: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(
    private c: EmailConfig,
    private companyName: string,
  ) {
    this.transporter = nodemailer.createTransport(smtpOptions(checked(c)));
  }

  /**
   * The relay's settings changed in the panel (src/compose/live-settings.ts): the next mail
   * connects with them. A mail in flight finishes on its own connection (one per mail).
   */
  applySettings(c: EmailConfig, companyName: string): void {
    const next = nodemailer.createTransport(smtpOptions(checked(c)));
    this.transporter.close();
    this.transporter = next;
    this.c = c;
    this.companyName = companyName;
  }

  async send(mail: OutgoingMail): Promise<{ response: string }> {
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.transporter.sendMail({
        from: fromOf(this.c, this.companyName),
        to: mail.to,
        ...(this.c.replyTo ? { replyTo: this.c.replyTo } : {}),
        subject: mail.subject,
        text: mail.text,
        ...(mail.html ? { html: mail.html } : {}),
        messageId: mail.messageId,
        headers: mail.headers,
        // The envelope names exactly one recipient: never the headers' guess.
        envelope: { from: this.c.from, to: [mail.to] },
      });
    } catch (e) {
      throw classifySmtpError(e);
    }
    if (info.rejected.length > 0) {
      const first = info.rejectedErrors?.[0];
      throw first
        ? classifySmtpError(first)
        : new DuegateError(ErrorCode.EmailRejected, `rejected: the relay refused ${mail.to}`, {
            failureClass: "rejected",
          });
    }
    return { response: info.response };
  }

  close(): void {
    this.transporter.close();
  }
}
