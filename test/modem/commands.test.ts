import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../src/core/errors.js";
import { cclk } from "../../src/modem/at/commands/cclk.js";
import { cmgl } from "../../src/modem/at/commands/cmgl.js";
import { cmgr } from "../../src/modem/at/commands/cmgr.js";
import { cmgs } from "../../src/modem/at/commands/cmgs.js";
import { cnmi } from "../../src/modem/at/commands/cnmi.js";
import { copsQuery } from "../../src/modem/at/commands/cops.js";
import { cpmsQuery, cpmsSelect } from "../../src/modem/at/commands/cpms.js";
import { cpinEnter, cpinQuery } from "../../src/modem/at/commands/cpin.js";
import { cregQuery } from "../../src/modem/at/commands/creg.js";
import { csq } from "../../src/modem/at/commands/csq.js";
import { cgmr } from "../../src/modem/at/commands/identity.js";
import { cmeReason, cmsError } from "../../src/modem/at/result-codes.js";
import { allowConsoleCommand } from "../../src/modem/driver/console.js";

describe("AT commands parse their replies (transcripts from real modems)", () => {
  it("AT+CSQ gives rssi, dBm and bars; 99 is unknown", () => {
    expect(csq(1).parse(["+CSQ: 18,99"])).toEqual({ rssi: 18, dbm: -77, bars: 3 });
    expect(csq(1).parse(["+CSQ: 99,99"])).toEqual({ rssi: 99, bars: 0 });
  });

  it("AT+CREG? reads <stat> after <n>, also with location fields, ignoring a URC that slipped in", () => {
    expect(cregQuery(1).parse(["+CREG: 0,1"])).toBe("home");
    expect(cregQuery(1).parse(['+CREG: 2,5,"00C3","0000D6F4",7'])).toBe("roaming");
    expect(cregQuery(1).parse(["+CREG: 3", "+CREG: 1,2"])).toBe("searching");
    expect(cregQuery(1, undefined, "CEREG").parse(["+CEREG: 0,3"])).toBe("denied");
  });

  it("AT+COPS? gives the operator name or nothing when unregistered", () => {
    expect(copsQuery(1).parse(['+COPS: 0,0,"Telekom.de",7'])).toBe("Telekom.de");
    expect(copsQuery(1).parse(["+COPS: 0"])).toBeUndefined();
  });

  it("AT+CPMS set and query give the read storage's use", () => {
    expect(cpmsSelect(["ME", "ME", "ME"], 1).text).toBe('AT+CPMS="ME","ME","ME"');
    expect(cpmsSelect(["SM"], 1).parse(["+CPMS: 3,30,3,30,3,30"])).toEqual({ storage: "SM", used: 3, total: 30 });
    expect(cpmsQuery(1).parse(['+CPMS: "SM",5,20,"SM",5,20,"SM",5,20'])).toEqual({ storage: "SM", used: 5, total: 20 });
  });

  it("AT+CMGL=4 pairs each header with its PDU line", () => {
    const lines = [
      "+CMGL: 1,0,,23",
      "07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07",
      "+CMGL: 4,1,,5",
      "0011223344",
    ];
    expect(cmgl(1).parse(lines)).toEqual([
      { index: 1, stat: 0, pdu: lines[1] },
      { index: 4, stat: 1, pdu: "0011223344" },
    ]);
  });

  it("AT+CMGR gives the PDU, undefined for an empty slot, and a typed error without PDU line", () => {
    expect(cmgr(2, 1).parse(["+CMGR: 1,,5", "0011223344"])).toEqual({ stat: 1, pdu: "0011223344" });
    expect(cmgr(2, 1).parse([])).toBeUndefined();
    expect(() => cmgr(2, 1).parse(["+CMGR: 1,,5"])).toThrow(expect.objectContaining({ code: ErrorCode.ModemParse }));
  });

  it("AT+CMGS takes the TPDU length and returns the TP-MR; it is never retried blindly", () => {
    const c = cmgs({ pdu: "00aa", tpduLength: 1 }, 60_000);
    expect(c.text).toBe("AT+CMGS=1");
    expect(c.body).toBe("00AA");
    expect(c.retryable).toBe(false);
    expect(c.parse(["+CMGS: 255"])).toEqual({ reference: 255 });
    expect(() => c.parse(["+CMGS: 300"])).toThrow();
  });

  it("AT+CNMI knows whether status reports are stored (ds=2) or routed (ds=1)", () => {
    expect(cnmi("AT+CNMI=2,1,0,2,0", 1).parse([])).toEqual({ reportsStored: true });
    expect(cnmi("AT+CNMI=2,1,0,1,0", 1).parse([])).toEqual({ reportsStored: false });
  });

  it("AT+CCLK converts quarter-hour zones to UTC and refuses an unset clock", () => {
    expect(cclk(1).parse(['+CCLK: "26/11/23,10:30:00+04"'])).toBe(Date.UTC(2026, 10, 23, 9, 30, 0));
    expect(cclk(1).parse(['+CCLK: "04/01/01,00:00:12+00"'])).toBeUndefined();
  });

  it("AT+CPIN reads the SIM state and marks the PIN command as sensitive", () => {
    expect(cpinQuery(1).parse(["+CPIN: SIM PIN"])).toBe("SIM PIN");
    expect(cpinEnter("1234", 1).sensitive).toBe(true);
  });

  it("identity queries join bare lines", () => {
    expect(cgmr(1).parse(["+CGMR: EC25EFAR06A09M4G"])).toBe("EC25EFAR06A09M4G");
    expect(cgmr(1).parse(["Revision: 1418B05SIM800L24"])).toBe("Revision: 1418B05SIM800L24");
  });
});

describe("result codes", () => {
  it("classifies +CMS ERROR codes as temporary or permanent with a reason (TS 27.005 3.2.5)", () => {
    expect(cmsError(38)).toEqual({ temporary: true, reason: "network out of order" });
    expect(cmsError(1)).toEqual({ temporary: false, reason: "unassigned (unallocated) number" });
    expect(cmsError(304).temporary).toBe(false);
    expect(cmsError(331).temporary).toBe(true);
    expect(cmsError(530).reason).toMatch(/manufacturer/);
    expect(cmsError(77).temporary).toBe(true);
  });

  it("names +CME ERROR codes", () => {
    expect(cmeReason(11, "11")).toBe("SIM PIN required");
    expect(cmeReason(undefined, "SIM busy")).toBe("SIM busy");
  });
});

describe("console allow-list", () => {
  it("allows queries and refuses anything that sends, deletes, resets or reveals secrets", () => {
    expect(allowConsoleCommand(" at+csq ")).toBe("AT+CSQ");
    expect(allowConsoleCommand("AT+COPS?")).toBe("AT+COPS?");
    for (const bad of [
      "AT+CMGS=20",
      "AT+CMGD=1,4",
      "AT+CFUN=1,1",
      'AT+CPIN="1234"',
      "AT+CIMI",
      'AT+CPMS="SM"',
      "ATZ",
      "AT+CSQ;+CMGD=1",
    ]) {
      expect(() => allowConsoleCommand(bad)).toThrow(expect.objectContaining({ code: ErrorCode.Forbidden }));
    }
  });
});
