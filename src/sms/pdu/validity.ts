/** Relative TP-VP (TS 23.040 9.2.3.12.1): one octet, steps of 5 min, 30 min, 1 day, 1 week. */
export function encodeRelativeValidity(minutes: number): number {
  const m = Math.max(5, Math.ceil(minutes));
  if (m <= 720) return Math.ceil(m / 5) - 1;
  if (m <= 1440) return 143 + Math.ceil((m - 720) / 30);
  if (m <= 30 * 1440) return 166 + Math.max(2, Math.ceil(m / 1440));
  return 192 + Math.min(63, Math.max(5, Math.ceil(m / 10080)));
}

export function decodeRelativeValidity(vp: number): number {
  if (vp <= 143) return (vp + 1) * 5;
  if (vp <= 167) return 720 + (vp - 143) * 30;
  if (vp <= 196) return (vp - 166) * 1440;
  return (vp - 192) * 10080;
}
