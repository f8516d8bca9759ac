import { describe, expect, it } from "vitest";
import { DuegateError } from "../../src/core/errors.js";
import { decodePdu, encodeSubmit } from "../../src/sms/index.js";

function errorOf(hex: string, opts?: { smscPrefix?: boolean }): DuegateError {
  try {
    decodePdu(hex, opts);
  } catch (e) {
    if (e instanceof DuegateError) return e;
    throw new Error(`untyped error: ${String(e)}`, { cause: e });
  }
  throw new Error("no error thrown");
}

const hello = "0011000B916407281553F80000AA0AE8329BFD4697D9EC37";

describe("malformed PDUs give typed errors that say what and where", () => {
  it("an empty string is truncated", () => {
    expect(errorOf("").code).toBe("sms.pdu_truncated");
  });

  it("a non-hex character is malformed, with its position", () => {
    const e = errorOf("0011zz");
    expect(e.code).toBe("sms.pdu_malformed");
    expect(e.message).toContain("position 4");
  });

  it("an odd number of digits is malformed", () => {
    expect(errorOf("001").code).toBe("sms.pdu_malformed");
  });

  it("a PDU cut in the middle of the user data is truncated, naming the field and octet", () => {
    const e = errorOf(hello.slice(0, -4));
    expect(e.code).toBe("sms.pdu_truncated");
    expect(e.message).toMatch(/user data .* at octet 15/);
    expect(e.context).toMatchObject({ octet: 15 });
  });

  it("a PDU cut in the address is truncated", () => {
    expect(errorOf("0011000B9164").message).toContain("TP-DA");
  });

  it("TP-MTI 3 is unsupported", () => {
    expect(errorOf("0003000B916407281553F80000AA0AE8329BFD4697D9EC37").code).toBe("sms.pdu_unsupported");
  });

  it("compressed text (TP-DCS bit 5) is unsupported, with the octet of the DCS", () => {
    const e = errorOf("0011000B916407281553F80020AA0AE8329BFD4697D9EC37");
    expect(e.code).toBe("sms.pdu_unsupported");
    expect(e.context).toMatchObject({ octet: 12 });
  });

  it("a UDH length that overruns the user data is malformed", () => {
    expect(errorOf("0051000191F1000803FF0000").code).toBe("sms.pdu_malformed");
  });

  it("an invalid time stamp is malformed", () => {
    // month 31
    expect(errorOf("0004" + "0191F1" + "0000" + "42132070000000" + "00", { smscPrefix: false }).code).toBe(
      "sms.pdu_malformed",
    );
  });

  it("ignores a concatenation IE with index 0 (TS 23.040 9.2.3.24.1) instead of failing", () => {
    // DELIVER with UDHI, UDH 05 00 03 07 02 00, then "A"
    const d = decodePdu("0044" + "0191F1" + "0000" + "42102070000000" + "08" + "05000307020082");
    expect(d).toMatchObject({ type: "deliver", text: "A" });
    expect(d.type === "deliver" && d.concat).toBeUndefined();
  });
});

describe("encoding refuses what cannot be sent", () => {
  it("a destination that is no number, without echoing it", () => {
    for (const to of ["", "+", "call me", "+49 170 12345678901234567890"]) {
      let err: unknown;
      try {
        encodeSubmit("x", { to, concatReference: 0 });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(DuegateError);
      expect((err as DuegateError).code).toBe("outbox.invalid_number");
      if (to.length > 3) expect((err as DuegateError).message).not.toContain(to);
    }
  });

  it("accepts spacing in a number and sends only the digits", () => {
    const { parts } = encodeSubmit("x", { to: "+49 (170) 123-45", concatReference: 0 });
    expect(decodePdu(parts[0]!.pdu)).toMatchObject({ to: "+4917012345" });
  });
});
