/**
 * A reminder template compiled once into a list of pieces, so that rendering 12,000 reminders
 * does not walk mustache's tokens and context chain 12,000 times (it cost a third of an
 * evaluation). Only the subset the policy allows is compiled: text, {{name}}, {{{name}}} /
 * {{&name}}, sections {{#name}} and inverted sections {{^name}} over the known variables, and
 * comments. The output is byte for byte what Mustache.render gives with escaping off, because
 * every view value is a string or a number: a section over one renders its body once when
 * truthy (mustache pushes the primitive as a context in which no name resolves, so the body's
 * names read the view), an inverted section when falsy. Anything else (partials, dotted names,
 * "."), or a view value that is not a primitive, goes to mustache itself.
 */
import Mustache from "mustache";
import { TEMPLATE_VARIABLES } from "./template-variables.js";

type Token = [string, string, number, number, Token[]?];

type Piece = string | { name: string } | { section: string; inverted: boolean; body: Piece[] };

export type RenderView = Readonly<Record<string, string | number | undefined>>;

const known = new Set<string>(TEMPLATE_VARIABLES);

function compilePieces(tokens: readonly Token[]): Piece[] | undefined {
  const out: Piece[] = [];
  for (const t of tokens) {
    const [type, value] = t;
    if (type === "!" || type === "=") continue;
    if (type === "text") {
      const last = out[out.length - 1];
      if (typeof last === "string") out[out.length - 1] = last + value;
      else out.push(value);
      continue;
    }
    if (!known.has(value)) return undefined;
    if (type === "name" || type === "&") out.push({ name: value });
    else if (type === "#" || type === "^") {
      const body = compilePieces(t[4] ?? []);
      if (!body) return undefined;
      out.push({ section: value, inverted: type === "^", body });
    } else return undefined;
  }
  return out;
}

/** Appends the pieces to out; false when a value is not a primitive (the caller falls back to mustache). */
function renderPieces(pieces: readonly Piece[], view: RenderView, out: { s: string }): boolean {
  for (const p of pieces) {
    if (typeof p === "string") {
      out.s += p;
      continue;
    }
    if ("name" in p) {
      const v = view[p.name];
      if (v === undefined || v === null) continue;
      if (typeof v !== "string" && typeof v !== "number") return false;
      out.s += v;
      continue;
    }
    const v = view[p.section];
    if (v !== undefined && v !== null && typeof v !== "string" && typeof v !== "number") return false;
    if (!v === p.inverted && !renderPieces(p.body, view, out)) return false;
  }
  return true;
}

const noEscape = { escape: (s: unknown): string => String(s) };

export class CompiledTemplate {
  private readonly pieces: Piece[] | undefined;

  constructor(readonly source: string) {
    let tokens: Token[] | undefined;
    try {
      tokens = Mustache.parse(source) as Token[];
    } catch {
      // Policies are checked on save; a broken one fails in render() as mustache would.
      tokens = undefined;
    }
    this.pieces = tokens ? compilePieces(tokens) : undefined;
  }

  render(view: RenderView): string {
    if (this.pieces) {
      const out = { s: "" };
      if (renderPieces(this.pieces, view, out)) return out.s;
    }
    return Mustache.render(this.source, view, {}, noEscape);
  }
}
