// Phone numbers on shared screens: the live feed arrives masked already; this masks what is not.
export function maskedNumber(n) {
  if (!n) return "";
  if (n.includes("*")) return n;
  const digits = n.replace(/[^\d+]/g, "");
  if (digits.length <= 6) return n;
  const head = digits.startsWith("+") ? 4 : 3;
  return digits.slice(0, head) + "*".repeat(Math.max(1, digits.length - head - 2)) + digits.slice(-2);
}
