/**
 * GSM-7 packing (TS 23.038 6.1.2.1.1). `fillBits` is the padding after a UDH, so that the first
 * character starts on a septet boundary of the user data (TS 23.040 9.2.3.24).
 */
export function packSeptets(septets: ArrayLike<number>, fillBits: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((fillBits + septets.length * 7) / 8));
  let bit = fillBits;
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    const idx = bit >> 3;
    const shift = bit & 7;
    out[idx] = out[idx]! | ((s << shift) & 0xff);
    if (shift > 1) out[idx + 1] = out[idx + 1]! | (s >> (8 - shift));
    bit += 7;
  }
  return out;
}

/** Reads `count` septets from `octets` after `fillBits`; the caller checks there are enough octets. */
export function unpackSeptets(octets: Uint8Array, count: number, fillBits: number): number[] {
  const out: number[] = new Array<number>(count);
  let bit = fillBits;
  for (let i = 0; i < count; i++) {
    const idx = bit >> 3;
    const shift = bit & 7;
    let v = (octets[idx] ?? 0) >> shift;
    if (shift > 1) v |= (octets[idx + 1] ?? 0) << (8 - shift);
    out[i] = v & 0x7f;
    bit += 7;
  }
  return out;
}
