/** TPDU octets without the SMSC part: the <length> in +CMGR/+CMGL/+CDS. */
export function tpduLength(pduHex: string): number {
  const smscOctets = Number.parseInt(pduHex.slice(0, 2), 16) || 0;
  return pduHex.length / 2 - 1 - smscOctets;
}
