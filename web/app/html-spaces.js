// The panel's templates keep HTML's rule for the space between two pieces of inline content.
//
// htm drops any run of whitespace that holds a line break, as JSX does, so a template broken
// over lines between `<time>…</time>` and `<span>…</span>`, or between a word and `<code>`,
// renders the two glued together ("10:00fixed"). HTML, and the formatter that lays the
// templates out, treat that run as one space. keepInlineSpaces turns such a run into a single
// space, once per template (the result is cached by the template's strings, as htm caches),
// where both neighbours are inline: text, a placeholder next to text, or an inline element.
// Runs between blocks, inside a tag, at the start or end of an element, or between two
// placeholders keep htm's rule.

const INLINE = "span|strong|small|a|code|time|b|em|i|abbr|button|label|kbd|mark|q|s|sub|sup|u|var|output";
const MARK = "\u0000";
const LEFT = new RegExp(`(?:[^\\s>${MARK}]|</(?:${INLINE})\\s*>|${MARK})$`);
const RIGHT = new RegExp(`^(?:[^\\s<${MARK}]|<(?:${INLINE}|input|select|img)\\b|${MARK})`);

/** The template's static strings with each inline line-break run replaced by one space. */
export function keepInlineSpaces(strings) {
  const full = strings.join(MARK);
  let out = "";
  let last = 0;
  for (const m of full.matchAll(/[ \t]*\n\s*/g)) {
    const before = full.slice(0, m.index);
    const after = full.slice(m.index + m[0].length);
    const insideTag = before.lastIndexOf("<") > before.lastIndexOf(">");
    const inline = before.length > 0 && after.length > 0 && LEFT.test(before) && RIGHT.test(after);
    const betweenPlaceholders = before.endsWith(MARK) && after.startsWith(MARK);
    if (!insideTag && inline && !betweenPlaceholders) {
      out += full.slice(last, m.index) + " ";
      last = m.index + m[0].length;
    }
  }
  out += full.slice(last);
  const fixed = out.split(MARK);
  return Object.assign(fixed, { raw: fixed });
}

const cache = new WeakMap();

/** Wraps an htm-bound tag so that every template follows keepInlineSpaces. */
export function withInlineSpaces(tag) {
  return (strings, ...values) => {
    let fixed = cache.get(strings);
    if (!fixed) {
      fixed = keepInlineSpaces(strings);
      cache.set(strings, fixed);
    }
    return tag(fixed, ...values);
  };
}
