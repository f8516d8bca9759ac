/** Hex ↔ octets, and a reader that names the octet where a PDU goes wrong. */
import { DuegateError, ErrorCode } from "../../core/errors.js";

export function hexToOctets(hex: string): Uint8Array {
  const clean = hex.replace(/\s+/g, "");
  if (clean.length === 0) throw new DuegateError(ErrorCode.PduTruncated, "the PDU is empty", { octet: 0 });
  if (!/^[0-9a-fA-F]*$/.test(clean)) {
    const at = clean.search(/[^0-9a-fA-F]/);
    throw new DuegateError(ErrorCode.PduMalformed, `the PDU has a non-hex character at position ${at}`, {
      position: at,
      octet: Math.floor(at / 2),
    });
  }
  if (clean.length % 2 !== 0) {
    throw new DuegateError(ErrorCode.PduMalformed, `the PDU has an odd number of hex digits (${clean.length})`, {
      digits: clean.length,
      octet: Math.floor(clean.length / 2),
    });
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.substr(i * 2, 2), 16);
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"));

export function octetsToHex(octets: ArrayLike<number>): string {
  let s = "";
  for (let i = 0; i < octets.length; i++) s += HEX[octets[i]! & 0xff];
  return s;
}

export class OctetReader {
  pos = 0;
  constructor(readonly octets: Uint8Array) {}

  get remaining(): number {
    return this.octets.length - this.pos;
  }

  /** One octet; `what` names the field for the error message. */
  byte(what: string): number {
    if (this.pos >= this.octets.length) throw this.truncated(what, 1);
    return this.octets[this.pos++]!;
  }

  bytes(n: number, what: string): Uint8Array {
    if (this.remaining < n) throw this.truncated(what, n);
    const out = this.octets.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  truncated(what: string, needed: number): DuegateError {
    return new DuegateError(
      ErrorCode.PduTruncated,
      `the PDU ends at octet ${this.octets.length} while reading ${what} at octet ${this.pos} (${needed} octet(s) needed, ${this.remaining} left)`,
      { octet: this.pos, field: what, needed, length: this.octets.length },
    );
  }

  malformed(what: string, at = this.pos): DuegateError {
    return new DuegateError(ErrorCode.PduMalformed, `${what} at octet ${at}`, { octet: at });
  }

  unsupported(what: string, at = this.pos): DuegateError {
    return new DuegateError(ErrorCode.PduUnsupported, `${what} at octet ${at}`, { octet: at });
  }
}
