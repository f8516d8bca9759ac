/**
 * GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 6.2.1 and 6.2.1.1).
 * A table is 128 entries indexed by septet value; "" marks a position with no character.
 */
export type SeptetTable = readonly string[];

export const ESCAPE = 0x1b;

function table(chars: string): SeptetTable {
  const t = Array.from(chars);
  if (t.length !== 128) throw new Error(`septet table has ${t.length} entries, expected 128`);
  return t.map((c) => (c === "\u0000" ? "" : c));
}

function sparse(entries: Record<number, string>): SeptetTable {
  const t: string[] = new Array<string>(128).fill("");
  for (const [k, v] of Object.entries(entries)) t[Number(k)] = v;
  return t;
}

// 0x1B is the escape to the extension table; it is no character of its own.
export const DEFAULT_ALPHABET = table(
  "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u0000ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà",
);

/** 6.2.1.1: each costs two septets (ESC + code). 0x0A is FORM FEED; 0x0D and 0x1B are reserved. */
export const DEFAULT_EXTENSION = sparse({
  0x0a: "\f",
  0x14: "^",
  0x28: "{",
  0x29: "}",
  0x2f: "\\",
  0x3c: "[",
  0x3d: "~",
  0x3e: "]",
  0x40: "|",
  0x65: "€",
});

export { table as septetTable, sparse as sparseSeptetTable };
