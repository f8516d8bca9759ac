import { describe, expect, it } from "vitest";
import * as htmModule from "htm";
// @ts-expect-error the panel's modules are plain browser JavaScript without type declarations
import { withInlineSpaces } from "../../web/app/html-spaces.js";

// htm's declarations are read as CommonJS here; at run time the ESM build's default export is the tag factory.
type Htm = {
  bind<R>(
    h: (type: string, props: Record<string, unknown> | null, ...children: unknown[]) => R,
  ): (strings: TemplateStringsArray, ...values: unknown[]) => R | R[];
};
const htm = (htmModule as unknown as { default: Htm }).default;

type Node = { type: string; props: Record<string, unknown> | null; children: unknown[] } | string;
const h = (type: string, props: Record<string, unknown> | null, ...children: unknown[]): Node => ({
  type,
  props,
  children,
});
const plain = htm.bind(h);
const html = withInlineSpaces(plain) as typeof plain;

/** The text a browser would show, with HTML's collapsing of whitespace. */
const text = (n: unknown): string =>
  typeof n === "string" || typeof n === "number"
    ? String(n)
    : Array.isArray(n)
      ? n.map(text).join("")
      : n && typeof n === "object" && "children" in n
        ? (n as { children: unknown[] }).children.map(text).join("")
        : "";

describe("the panel's templates keep the space between inline content broken over lines", () => {
  it("keeps one space between inline elements, and between a word and an element, where htm alone glues them", () => {
    const time = "10:00";
    const build = (tag: typeof plain) => tag`<p>
      <time>${time}</time>
      <span class="badge">fixed</span>
      on the appliance:
      <code>journalctl</code>
    </p>`;
    expect(text(build(plain))).toBe("10:00fixedon the appliance:journalctl");
    expect(text(build(html))).toBe("10:00 fixed on the appliance: journalctl");
  });

  it("leaves blocks, the inside of tags, the ends of an element and two placeholders as htm has them", () => {
    const a = "A";
    const b = "B";
    const tree = html`<div
        class="x"
      >
        <p>one</p>
        <p>two</p>
        ${a}
        ${b}
      </div>`;
    expect(tree).toEqual(plain`<div class="x"><p>one</p><p>two</p>${a}${b}</div>`);
  });

  it("builds each template once: the same strings give the same fixed strings to htm, so htm's cache holds", () => {
    const seen: unknown[] = [];
    const tag = withInlineSpaces((strings: TemplateStringsArray) => {
      seen.push(strings);
      return null;
    });
    const render = (v: string) => tag`<b>${v}</b>
      <i>x</i>`;
    render("1");
    render("2");
    expect(seen[0]).toBe(seen[1]);
  });
});
