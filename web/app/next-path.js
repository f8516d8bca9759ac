// Where the login page may send the user afterwards: a path on this appliance, nothing else.
// Browsers are lenient in ways an attacker uses: "\" counts as "/", tab and newline are
// dropped ("/%09/evil.example" is "//evil.example"), and "/.." resolves away. So the value
// is refused outright when it holds anything odd, resolved like the browser would, and the
// result must still be a plain path of this origin. One function, used by login.js and
// tested with the tricky inputs in test/web/next-path.test.ts.

const HOME = "/";
const MAX_LENGTH = 2048;
const PROBE_ORIGIN = "http://duegate.invalid";

/** A single "/" then not "/" or "\\": a path, not a scheme-relative URL. */
const PATH_START = /^\/(?![/\\])/;
/** Whitespace, control characters and backslashes never belong in a panel path. */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const ODD = /[\u0000-\u0020\u007f-\u009f\\\u2028\u2029\ufeff]/;
/** The same in the path, percent-encoded once more ("%2F%2F", "%5C", "%09"): a proxy might decode it again. (The query may hold "%20".) */
const ODD_ENCODED = /%(?:[01][0-9a-f]|2[0f]|5c|7f)/i;

/**
 * @param {unknown} raw the decoded value of ?next=
 * @returns {string} a local path (with its query and hash), or "/" when raw is anything else
 */
export function safeNextPath(raw) {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_LENGTH) return HOME;
  if (!PATH_START.test(raw) || ODD.test(raw) || ODD_ENCODED.test(raw.split(/[?#]/, 1)[0])) return HOME;
  let url;
  try {
    url = new URL(raw, PROBE_ORIGIN);
  } catch {
    return HOME;
  }
  if (url.origin !== PROBE_ORIGIN || url.username || url.password) return HOME;
  const local = url.pathname + url.search + url.hash;
  // "/..//x" resolves to "//x": check the result, not only the input.
  return PATH_START.test(local) && !ODD.test(local) ? local : HOME;
}
