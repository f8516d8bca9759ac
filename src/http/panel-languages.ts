/**
 * The languages the web panel speaks: one file each in web/app/i18n (`<code>.js`, a plain
 * `export default { key: text }` module that the browser loads and the server reads here), so
 * that adding a language is adding one file. Each names itself (`language.name`) and the
 * locale its dates and money are written in (`language.locale`).
 */
import { readdir } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export interface PanelLanguage {
  /** The file's name: "en", "de", "pt-BR". */
  code: string;
  /** The language's own name, for the menu: "Deutsch". */
  name: string;
  /** BCP 47 locale for Intl: "de-DE". */
  locale: string;
  /** The page shell's own words, so that even the moment before the panel's code runs is in this language. */
  shell?: { loading: string; noscript: string };
}

/** The panel's reference language: every key is in its file, and a missing text falls back to it. */
export const REFERENCE_LANGUAGE: PanelLanguage = { code: "en", name: "English", locale: "en-GB" };

const LANGUAGE_FILE = /^([a-z]{2,3}(?:-[A-Z]{2})?)\.js$/;

/** Reads every language file in the folder; English first, the others by code. A file that does not load is left out. */
export async function loadPanelLanguages(folder: string): Promise<PanelLanguage[]> {
  let files: string[];
  try {
    files = await readdir(folder);
  } catch {
    return [REFERENCE_LANGUAGE];
  }
  const found: PanelLanguage[] = [];
  for (const file of files.sort()) {
    const code = LANGUAGE_FILE.exec(file)?.[1];
    if (!code) continue;
    try {
      const texts = ((await import(pathToFileURL(join(folder, file)).href)) as { default?: Record<string, unknown> })
        .default;
      const name = texts?.["language.name"];
      const locale = texts?.["language.locale"];
      const loading = texts?.["common.loading"];
      const noscript = texts?.["common.noscript"];
      found.push({
        code,
        name: typeof name === "string" ? name : code,
        locale: typeof locale === "string" ? locale : code,
        ...(typeof loading === "string" && typeof noscript === "string" ? { shell: { loading, noscript } } : {}),
      });
    } catch {
      // A broken file must not stop the appliance; the panel simply does not offer it.
    }
  }
  const english = found.find((l) => l.code === REFERENCE_LANGUAGE.code) ?? REFERENCE_LANGUAGE;
  return [english, ...found.filter((l) => l !== english)];
}

/**
 * The panel language for an Accept-Language header (RFC 9110 12.5.4): the first by weight that
 * the panel has, matched exactly ("pt-BR") or by its primary subtag ("de-AT" → "de"); English otherwise.
 */
export function negotiateLanguage(acceptLanguage: string | undefined, codes: readonly string[]): string {
  const wanted = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/i.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((w) => w.tag && w.tag !== "*" && Number.isFinite(w.q) && w.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  const lower = new Map(codes.map((c) => [c.toLowerCase(), c]));
  for (const { tag } of wanted) {
    const exact = lower.get(tag.toLowerCase());
    if (exact) return exact;
    const primary = lower.get(tag.split("-")[0]!.toLowerCase());
    if (primary) return primary;
  }
  return codes.includes(REFERENCE_LANGUAGE.code) ? REFERENCE_LANGUAGE.code : (codes[0] ?? REFERENCE_LANGUAGE.code);
}
