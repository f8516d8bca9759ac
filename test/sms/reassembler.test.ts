import { describe, expect, it } from "vitest";
import { decodePdu, encodeDeliver, Reassembler, type DeliverPdu } from "../../src/sms/index.js";

const t0 = Date.UTC(2024, 5, 1, 10, 0, 0);

function parts(text: string, from = "+4917011111", ref = 42): DeliverPdu[] {
  return encodeDeliver(text, { from, timestamp: t0, concatReference: ref }).map((h) => decodePdu(h) as DeliverPdu);
}

const long = "Your balance is 120.50 EUR. ".repeat(12); // 336 septets: 3 parts

describe("Reassembler", () => {
  it("passes a single-part message straight through", () => {
    const r = new Reassembler({ timeoutMs: 60_000 });
    expect(r.push(parts("BALANCE")[0]!, t0 + 5)).toEqual({
      from: "+4917011111",
      text: "BALANCE",
      encoding: "gsm7",
      timestamp: t0,
      receivedAt: t0 + 5,
      parts: 1,
      partsReceived: 1,
      incomplete: false,
    });
  });

  it("joins parts that arrive in any order", () => {
    const [a, b, c] = parts(long);
    const r = new Reassembler({ timeoutMs: 60_000 });
    expect(r.push(c!, t0)).toBeUndefined();
    expect(r.push(a!, t0 + 1)).toBeUndefined();
    const done = r.push(b!, t0 + 2);
    expect(done).toMatchObject({
      text: long,
      parts: 3,
      partsReceived: 3,
      incomplete: false,
      concatReference: 42,
      receivedAt: t0,
    });
    expect(r.size).toBe(0);
  });

  it("ignores a duplicate part, also one that arrives after completion", () => {
    const [a, b, c] = parts(long);
    const r = new Reassembler({ timeoutMs: 60_000 });
    r.push(a!, t0);
    expect(r.push(a!, t0 + 1)).toBeUndefined();
    r.push(b!, t0 + 2);
    expect(r.push(c!, t0 + 3)?.text).toBe(long);
    expect(r.push(c!, t0 + 4)).toBeUndefined();
    expect(r.size).toBe(0);
  });

  it("keeps messages of two senders with the same reference apart", () => {
    const x = parts(long, "+4917011111", 7);
    const y = parts(long.toUpperCase(), "+4917022222", 7);
    const r = new Reassembler({ timeoutMs: 60_000 });
    const out = [x[0], y[0], x[1], y[1], y[2], x[2]].map((p, i) => r.push(p!, t0 + i)).filter(Boolean);
    expect(out.map((m) => [m!.from, m!.text])).toEqual([
      ["+4917022222", long.toUpperCase()],
      ["+4917011111", long],
    ]);
  });

  it("after the timeout hands out what arrived, marked incomplete", () => {
    const [a, , c] = parts(long);
    const r = new Reassembler({ timeoutMs: 60_000 });
    r.push(c!, t0);
    r.push(a!, t0 + 1000);
    expect(r.expire(t0 + 59_999)).toEqual([]);
    const [m] = r.expire(t0 + 60_000);
    expect(m).toMatchObject({ incomplete: true, parts: 3, partsReceived: 2, text: a!.text + c!.text, receivedAt: t0 });
    expect(r.size).toBe(0);
  });

  it("joins multipart UCS-2 with an emoji at a part boundary", () => {
    const text = "Ж".repeat(66) + "😀" + "Спасибо".repeat(12);
    const ps = parts(text);
    const r = new Reassembler({ timeoutMs: 1000 });
    const out = ps
      .reverse()
      .map((p) => r.push(p, t0))
      .find(Boolean);
    expect(out).toMatchObject({ text, encoding: "ucs2", incomplete: false });
  });
});
