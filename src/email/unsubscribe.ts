/**
 * Signed unsubscribe tokens (docs/email.md, "Unsubscribe"): the link in every reminder mail
 * names the account and carries an HMAC over it, so that a debtor can stop e-mail with one
 * click and without logging in, and nobody can stop another account's mail by guessing ids.
 * The key is email.unsubscribeSecret, or one generated at first use and kept (0600) in the
 * data directory: links in mails already sent stay valid across restarts.
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const KEY_FILE = "email-unsubscribe.key";
const PURPOSE = "duegate email unsubscribe v1\n";

export function loadUnsubscribeSecret(dataDir: string, configured: string): string {
  if (configured) return configured;
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const key = randomBytes(32).toString("base64url");
  writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  return key;
}

export class UnsubscribeTokens {
  private key: string | undefined;

  /** The key is read (or generated) at the first link signed or checked: a gateway without e-mail writes no key file. */
  constructor(private readonly secret: string | (() => string)) {}

  private mac(accountId: string): string {
    this.key ??= typeof this.secret === "string" ? this.secret : this.secret();
    return createHmac("sha256", this.key)
      .update(PURPOSE + accountId)
      .digest("base64url")
      .slice(0, 32);
  }

  sign(accountId: string): string {
    return `${Buffer.from(accountId, "utf8").toString("base64url")}.${this.mac(accountId)}`;
  }

  /** The account a token names, or undefined for anything not signed with this key. */
  verify(token: unknown): string | undefined {
    if (typeof token !== "string" || token.length > 400) return undefined;
    const dot = token.indexOf(".");
    if (dot <= 0) return undefined;
    const accountId = Buffer.from(token.slice(0, dot), "base64url").toString("utf8");
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(accountId));
    return given.length === expected.length && timingSafeEqual(given, expected) ? accountId : undefined;
  }
}

/** The targets for the List-Unsubscribe header and the mail's footer. */
export function unsubscribeLinks(
  tokens: UnsubscribeTokens,
  accountId: string,
  c: { publicUrl: string; unsubscribeMailto: string; replyTo: string; from: string },
): { https?: string; mailto?: string } {
  const token = tokens.sign(accountId);
  const base = c.publicUrl.replace(/\/+$/, "");
  const mailbox = c.unsubscribeMailto || c.replyTo || c.from;
  return {
    ...(base ? { https: `${base}/api/v1/email/unsubscribe?t=${encodeURIComponent(token)}` } : {}),
    ...(mailbox ? { mailto: `${mailbox}?subject=${encodeURIComponent(`unsubscribe ${token}`)}` } : {}),
  };
}
