import { describe, expect, it } from "vitest";
import { pduDecodeCommand, pduEncodeCommand } from "../../src/cli/pdu.js";

describe("duegate pdu encode / decode", () => {
  it("encode prints encoding, parts, pdus and tpduLengths", () => {
    const out = pduEncodeCommand({ to: "+46708251358", text: "hellohello", srr: true });
    expect(out).toMatchObject({
      encoding: "gsm7",
      parts: 1,
      pdus: ["0021000B916407281553F800000AE8329BFD4697D9EC37"],
      tpduLengths: [22],
    });
  });

  it("encode of a long UCS-2 text lists every part in order", () => {
    const out = pduEncodeCommand({ to: "+491701234567", text: "Ж".repeat(100) }) as { parts: number; pdus: string[] };
    expect(out.parts).toBe(2);
    expect(out.pdus.map((p) => pduDecodeCommand(p))).toMatchObject([
      { type: "submit", udh: { concat: { index: 1, count: 2 } } },
      { type: "submit", udh: { concat: { index: 2, count: 2 } } },
    ]);
  });

  it("encode uses the recipient's locale as the outbox does: a Turkish text to +90 stays GSM-7 with the Turkish table", () => {
    const text = "Sayın müşterimiz, ödemeniz için teşekkür ederiz. İyi günler, ğ ş ı.";
    expect(pduEncodeCommand({ to: "+905321234567", text })).toMatchObject({
      encoding: "gsm7",
      parts: 1,
      locale: "tr-TR",
      shift: { single: "turkish" },
    });
    expect(pduEncodeCommand({ to: "+905321234567", text, locale: "en-GB" })).toMatchObject({
      encoding: "ucs2",
      locale: "en-GB",
    });
  });

  it("encode refuses a number that is none", () => {
    expect(() => pduEncodeCommand({ to: "call me", text: "x" })).toThrowError(
      expect.objectContaining({ code: "domain.validation" }),
    );
  });

  it("decode of a DELIVER shows addresses, time stamp, encoding and text", () => {
    expect(
      pduDecodeCommand("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07"),
    ).toMatchObject({
      type: "deliver",
      smsc: "+31624000000",
      from: "+31641600986",
      timestamp: "2002-08-26T19:37:41.000Z",
      encoding: "gsm7",
      text: "How are you?",
    });
  });

  it("decode of a status report shows reference, status and its meaning", () => {
    expect(pduDecodeCommand("00062A0B911326880736F4111011719551401110117195714046")).toMatchObject({
      type: "status-report",
      messageReference: 42,
      recipient: "+31628870634",
      status: 0x46,
      statusHex: "0x46",
      outcome: { final: true, delivered: false, text: "validity period expired" },
    });
  });

  it("decode falls back to a bare TPDU without SMSC prefix", () => {
    expect(pduDecodeCommand("11000B916407281553F80000AA0AE8329BFD4697D9EC37")).toMatchObject({
      type: "submit",
      smscPrefix: false,
      text: "hellohello",
      validity: { minutes: 5760 },
    });
  });

  it("decode reads a +CDS status report printed without SMSC", () => {
    expect(pduDecodeCommand("062A0B911326880736F4111011719551401110117195714000")).toMatchObject({
      type: "status-report",
      smscPrefix: false,
      messageReference: 42,
      outcome: { delivered: true },
    });
  });

  it("decode of garbage throws the typed error of the first reading", () => {
    expect(() => pduDecodeCommand("0011zz")).toThrowError(expect.objectContaining({ code: "sms.pdu_malformed" }));
  });
});
