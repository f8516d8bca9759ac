/**
 * What an error message may quote of the input that caused it. A refused 4.9 MB CSV cell
 * or MQTT payload must not come back whole in the answer (nor fill the log or the error
 * topic): the sender needs enough to find the value, not a copy of it.
 */

/** Characters of one quoted value an error message keeps. */
export const EXCERPT_CHARS = 80;
/** Longest error message sent to a client; a message longer than this is cut, whatever it quotes. */
export const MESSAGE_MAX_CHARS = 1000;

/** The value itself when short, else its first `max` characters and how many more there were: `abc… (4,900,000 more)`. */
export function excerpt(value: unknown, max = EXCERPT_CHARS): string {
  const text = typeof value === "string" ? value : String(value);
  if (text.length <= max || isExcerpt(text, max)) return text;
  // Cutting inside a surrogate pair would leave half a character.
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}… (${text.length - end} more)`;
}

const LONG_QUOTED = new RegExp(`"([^"]{${EXCERPT_CHARS + 1},})"`, "g");

/**
 * The last guard before a message leaves the appliance (HTTP error, MQTT input.error): every
 * over-long "quoted" run is shortened to an excerpt, and the whole is kept under
 * MESSAGE_MAX_CHARS. Messages built with excerpt() pass unchanged.
 */
export function boundMessage(message: string): string {
  const shortened =
    message.length > EXCERPT_CHARS
      ? message.replace(LONG_QUOTED, (_m, inner: string) => `"${excerpt(inner)}"`)
      : message;
  return excerpt(shortened, MESSAGE_MAX_CHARS);
}

/** An excerpt made already (the same value passes several error paths): cutting it again would lose its count. */
function isExcerpt(text: string, max: number): boolean {
  if (text.length > max + 32) return false;
  const head = /^([\s\S]*)… \(\d+ more\)$/.exec(text);
  return head !== null && head[1]!.length <= max;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
