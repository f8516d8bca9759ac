import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../web/app/next-path.js";

/**
 * The login page's ?next= (web/app/next-path.js): only a path of this appliance. Each input
 * below is what URLSearchParams.get("next") returns, i.e. already decoded once.
 */
describe("safeNextPath", () => {
  it.each(["/", "/messages", "/messages?status=failed&q=a%20b", "/accounts/A%2D1#invoices", "/settings?tab=mqtt"])(
    "keeps the local path %j",
    (path) => {
      expect(safeNextPath(path)).toBe(path);
    },
  );

  it.each([
    ["scheme-relative", "//evil.example"],
    ["scheme-relative with path", "//evil.example/login"],
    ["backslash after slash", "/\\evil.example"],
    ["two backslashes", "\\\\evil.example"],
    ["backslash and slash", "\\/evil.example"],
    ["tab between the slashes", "/\t/evil.example"],
    ["newline between the slashes", "/\n/evil.example"],
    ["carriage return", "/\r/evil.example"],
    ["NUL", "/\u0000/evil.example"],
    ["leading space", " /messages"],
    ["line separator", "/\u2028/evil.example"],
    ["byte order mark", "/\ufeff/evil.example"],
    ["encoded backslash, decoded again by a proxy", "/%5Cevil.example"],
    ["encoded lower-case backslash", "/%5cevil.example"],
    ["encoded tab", "/%09/evil.example"],
    ["encoded slashes", "/%2F%2Fevil.example"],
    ["encoded slash then slash", "/%2F/evil.example"],
    ["dot segments resolving to //", "/..//evil.example"],
    ["dot segments resolving to //, deeper", "/a/../..//evil.example"],
    ["dot and backslash", "/./\\evil.example"],
    ["javascript:", "javascript:alert(1)"],
    ["javascript: upper case", "JaVaScRiPt:alert(1)"],
    ["data:", "data:text/html,<script>alert(1)</script>"],
    ["absolute https URL", "https://evil.example/"],
    ["absolute URL without slashes", "http:evil.example"],
    ["scheme with one slash", "http:/evil.example"],
    ["relative name", "evil.example"],
    ["empty", ""],
    ["overlong", `/${"a".repeat(5000)}`],
  ])("refuses %s (%j)", (_what, input) => {
    expect(safeNextPath(input)).toBe("/");
  });

  it("refuses what is not a string", () => {
    for (const value of [null, undefined, 42, ["/messages"], { toString: () => "/x" }])
      expect(safeNextPath(value)).toBe("/");
  });

  it("never returns anything but one leading slash followed by a non-slash", () => {
    // Every two-character prefix over a set of tricky characters, then a host.
    const chars = ["/", "\\", "\t", "\n", " ", ".", "%2F", "%5C", "%09", "@", ":", "?", "#", "a"];
    for (const a of chars)
      for (const b of chars)
        for (const c of chars) {
          const out = safeNextPath(`/${a}${b}${c}evil.example`);
          expect(out, JSON.stringify(`/${a}${b}${c}`)).toMatch(/^\/(?![/\\])/);
          expect(new URL(out, "https://panel.local").origin).toBe("https://panel.local");
        }
  });
});
