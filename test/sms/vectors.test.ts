// Hand-worked vectors from 3GPP TS 23.040 / 23.038 and widely published PDUs: the codec is checked
// against the spec, not only against itself.
import { describe, expect, it } from "vitest";
import { decodePdu, encodeDeliver, encodeStatusReport, encodeSubmit } from "../../src/sms/index.js";

describe("SMS-SUBMIT encoding against known PDUs", () => {
  it("encodes the classic 'hellohello' PDU byte for byte (relative VP 0xAA = 4 days)", () => {
    const { parts } = encodeSubmit("hellohello", {
      to: "+46708251358",
      validityMinutes: 4 * 24 * 60,
      concatReference: 0,
    });
    expect(parts).toEqual([
      { index: 1, count: 1, pdu: "0011000B916407281553F80000AA0AE8329BFD4697D9EC37", tpduLength: 23 },
    ]);
  });

  it("sets TP-SRR (bit 5) and puts the SMSC in front with its octet length", () => {
    const { parts } = encodeSubmit("hellohello", {
      to: "+46708251358",
      smsc: "+491710760000",
      statusReport: true,
      validityMinutes: 5760,
      concatReference: 0,
    });
    expect(parts[0]!.pdu).toBe("07919471016700003" + "1000B916407281553F80000AA0AE8329BFD4697D9EC37");
    expect(parts[0]!.tpduLength).toBe(23); // the SMSC octets are not counted in AT+CMGS=<length>
  });

  it("omits TP-VP when no validity is asked (TP-VPF 00) and uses type 0x81 for a number without +", () => {
    const { parts } = encodeSubmit("hi", { to: "0170123", concatReference: 0 });
    // 01: SUBMIT, no VP; 00 MR; 07 digits, 81 unknown TON, 10 07 21 F3; PID 00; DCS 00; UDL 02; "hi" = E8 34
    expect(parts[0]!.pdu).toBe("0001000781100721F3000002E834");
  });

  it("writes the euro sign as ESC 0x65: two septets (TS 23.038 6.2.1.1)", () => {
    const { parts, analysis } = encodeSubmit("€", { to: "+1", concatReference: 0 });
    expect(analysis.units).toBe(2);
    expect(parts[0]!.pdu.endsWith("0000029B32")).toBe(true);
  });

  it("encodes UCS-2 big-endian with DCS 0x08 and UDL in octets", () => {
    const { parts } = encodeSubmit("Привет", { to: "+1", concatReference: 0 });
    expect(parts[0]!.pdu.endsWith("00080C041F044004380432043504420".slice(0, -1))).toBe(true);
  });

  it("puts one fill bit after a 6-octet concatenation UDH (TS 23.040 9.2.3.24, 23.038 6.1.2.1)", () => {
    const { parts } = encodeSubmit("a".repeat(306) + "A", { to: "+1", concatReference: 0xcc });
    expect(parts).toHaveLength(3);
    // first octet 0x41: SUBMIT + UDHI. Part 1: UDL 0xA0 = 7 header septets + 153.
    expect(parts[0]!.pdu.startsWith("0041000191F10000A0050003CC0301")).toBe(true);
    // Part 3: UDL 8 = 7 + 1; "A" (0x41) shifted by one fill bit = 0x82.
    expect(parts[2]!.pdu).toBe("0041000191F1000008050003CC030382");
  });

  it("uses IE 0x08 with a 16-bit reference when asked, leaving 152 septets per part", () => {
    const { parts, analysis } = encodeSubmit("a".repeat(200), { to: "+1", concatReference: 0x1234, referenceBits: 16 });
    expect(analysis.perPart).toBe(152);
    expect(parts[0]!.pdu).toContain("06080412340201");
    const d = decodePdu(parts[1]!.pdu);
    expect(d.type === "submit" && d.concat).toEqual({ reference: 0x1234, count: 2, index: 2, bits: 16 });
  });

  it("announces a Turkish single shift with IE 0x24 and 3 fill bits after the 4-octet UDH", () => {
    const { parts, analysis } = encodeSubmit("ş", { to: "+1", locale: "tr", concatReference: 0 });
    expect(analysis.shift).toEqual({ single: "turkish" });
    // UDL 7 = 5 header septets + ESC + 0x73; packed after 3 fill bits: D8 CC 01
    expect(parts[0]!.pdu).toBe("0041000191F1000007032401" + "01D8CC01");
  });
});

describe("decoding known PDUs", () => {
  it("decodes the published SMS-DELIVER 'How are you?' with its SMSC and time stamp", () => {
    const d = decodePdu("07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07");
    expect(d).toMatchObject({
      type: "deliver",
      smsc: "+31624000000",
      from: "+31641600986",
      encoding: "gsm7",
      text: "How are you?",
    });
    // SCTS 02-08-26 19:37:41; TZ octet 0x08: bit 3 is the sign, digits 0 and 0 → -00:00, so UTC as written
    expect(d.type === "deliver" && d.timestamp).toBe(Date.UTC(2002, 7, 26, 19, 37, 41));
  });

  it("decodes the hellohello SUBMIT with its validity", () => {
    const d = decodePdu("0011000B916407281553F80000AA0AE8329BFD4697D9EC37");
    expect(d).toMatchObject({
      type: "submit",
      to: "+46708251358",
      text: "hellohello",
      statusReport: false,
      validity: { minutes: 5760 },
    });
  });

  it("decodes a hand-built SMS-STATUS-REPORT: reference, recipient, both time stamps, status", () => {
    // 00 SMSC; 06 STATUS-REPORT+MMS; MR 2A; RA +31628870634; SCTS 2011-01-11 17:59:15 +01:00; DT ...:17; ST 00
    const d = decodePdu("00062A0B911326880736F4" + "11101171955140" + "11101171957140" + "00");
    expect(d).toEqual({
      type: "status-report",
      reference: 42,
      recipient: "+31628870634",
      scts: Date.UTC(2011, 0, 11, 16, 59, 15),
      discharge: Date.UTC(2011, 0, 11, 16, 59, 17),
      status: 0,
      outcome: { final: true, delivered: true, temporary: false, text: "received by the recipient" },
    });
  });

  it("reads a negative time zone (sign in bit 3 of the TZ octet)", () => {
    // TZ octet 0x0A: low nibble 1010 → sign set, tens 2; high nibble 0 → 20 quarters = -05:00
    const d = decodePdu("0006010191F1" + "4210207000000A" + "4210207000000A" + "00");
    expect(d.type === "status-report" && d.scts).toBe(Date.UTC(2024, 0, 2, 12, 0, 0));
  });

  it("decodes an alphanumeric sender (TON 101, GSM-7 packed)", () => {
    // "Bank" = 42 61 6E 6B → packed C2 B0 7B 0D; 4 chars * 7 bits = 28 bits = 7 semi-octets
    const d = decodePdu("0004" + "07D0C2B07B0D" + "0000" + "42102070000000" + "02E834");
    expect(d).toMatchObject({ type: "deliver", from: "Bank", text: "hi" });
  });

  it("decodes encodeDeliver and encodeStatusReport output", () => {
    const [pdu] = encodeDeliver("BALANCE", {
      from: "+4917012345",
      timestamp: Date.UTC(2024, 4, 6, 7, 8, 9),
      smsc: "+491710760000",
    });
    expect(decodePdu(pdu!)).toMatchObject({
      type: "deliver",
      from: "+4917012345",
      smsc: "+491710760000",
      text: "BALANCE",
      timestamp: Date.UTC(2024, 4, 6, 7, 8, 9),
    });
    const sr = encodeStatusReport({
      reference: 200,
      recipient: "+4917012345",
      status: 0x46,
      scts: Date.UTC(2024, 0, 1),
      discharge: Date.UTC(2024, 0, 2),
    });
    expect(decodePdu(sr)).toMatchObject({
      type: "status-report",
      reference: 200,
      status: 0x46,
      outcome: { final: true, delivered: false, temporary: false },
    });
  });

  it("encodes an alphanumeric sender for the simulator the way SMSCs do (TON 101)", () => {
    const [pdu] = encodeDeliver("hi", { from: "Bank", timestamp: Date.UTC(2024, 0, 2, 7, 0, 0) });
    expect(pdu).toBe("0004" + "07D0C2B07B0D" + "0000" + "42102070000000" + "02E834");
  });

  it.each([
    ["F4", "024869", "8bit", "Hi"], // group 1111, bit 2: 8-bit data, class 0
    ["F0", "02C834", "gsm7", "Hi"], // group 1111: default alphabet, class 0 (flash)
    ["18", "0400480069", "ucs2", "Hi"], // group 00, class 0, UCS-2
    ["E0", "0400480069", "ucs2", "Hi"], // message waiting, store, UCS-2
    ["C0", "02C834", "gsm7", "Hi"], // message waiting, discard
    ["04", "02C3A9", "8bit", "Ã©"], // 8-bit data is shown octet by octet (Latin-1), not as UTF-8
  ])("reads TP-DCS 0x%s per TS 23.038 4", (dcs, ud, encoding, text) => {
    expect(decodePdu("0004" + "0191F1" + "00" + dcs + "42102070000000" + ud)).toMatchObject({
      type: "deliver",
      encoding,
      text,
    });
  });

  it("round-trips 8-bit user data when asked for it", () => {
    const pdus = encodeDeliver("Größe © 1".repeat(20), {
      from: "+1",
      timestamp: Date.UTC(2024, 0, 1),
      encoding: "8bit",
      concatReference: 3,
    });
    expect(pdus).toHaveLength(2);
    expect(pdus.map((p) => (decodePdu(p) as { text: string }).text).join("")).toBe("Größe © 1".repeat(20));
  });

  it("decodes a bare TPDU when told there is no SMSC prefix", () => {
    expect(decodePdu("11000B916407281553F80000AA0AE8329BFD4697D9EC37", { smscPrefix: false })).toMatchObject({
      text: "hellohello",
    });
  });
});
