/**
 * Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the receiver's secret,
 * sent as `X-Duegate-Signature: t=<unix seconds>,v1=<hex>` (the Stripe scheme): the
 * timestamp in the signed text lets a receiver refuse a replay older than a few minutes.
 */
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-duegate-signature";

export function sign(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

/** For receivers (and tests): true when the header matches and is not older than toleranceS. */
export function verify(secret: string, body: string, header: string, nowSeconds: number, toleranceS = 300): boolean {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=", 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = Buffer.from(sign(secret, body, t).split("v1=")[1]!, "hex");
  const given = Buffer.from(parts.v1, "hex");
  return expected.length === given.length && timingSafeEqual(expected, given);
}
