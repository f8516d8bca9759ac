/**
 * The panel's languages (web/app/i18n): every key of the reference language (en.js) in every
 * other language file, with the same {placeholders}; every key the panel's code asks for with a
 * literal t("...") exists in en.js; and the server finds each file with its name and locale.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { loadPanelLanguages, negotiateLanguage } from "../../src/http/panel-languages.js";
import { SETTINGS, sectionFacts } from "../../src/config/settings-catalog.js";

const I18N = "web/app/i18n";
type Texts = Record<string, string>;

async function texts(code: string): Promise<Texts> {
  return ((await import(pathToFileURL(join(I18N, `${code}.js`)).href)) as { default: Texts }).default;
}

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const otherLanguages = readdirSync(I18N)
  .filter((f) => /^[a-z]{2,3}(-[A-Z]{2})?\.js$/.test(f) && f !== "en.js")
  .map((f) => f.replace(/\.js$/, ""));

/** Every .js file of the panel, for the keys its code names. */
function panelSources(dir = "web/app"): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === "i18n"
        ? []
        : panelSources(join(dir, e.name))
      : e.name.endsWith(".js")
        ? [join(dir, e.name)]
        : [],
  );
}

describe("panel languages", () => {
  it("has German besides English", () => {
    expect(otherLanguages).toContain("de");
  });

  for (const code of otherLanguages)
    it(`${code}.js has every key of en.js, none empty, with the same placeholders`, async () => {
      const en = await texts("en");
      const other = await texts(code);
      const missing = Object.keys(en).filter((k) => typeof other[k] !== "string" || other[k]!.trim() === "");
      expect(missing, `keys of en.js missing in ${code}.js`).toEqual([]);
      const extra = Object.keys(other).filter((k) => !(k in en));
      expect(extra, `keys in ${code}.js that en.js does not have`).toEqual([]);
      const mismatched = Object.keys(en).filter(
        (k) => JSON.stringify(placeholders(en[k]!)) !== JSON.stringify(placeholders(other[k]!)),
      );
      expect(mismatched, `placeholders differ from en.js in ${code}.js`).toEqual([]);
    });

  it("has the Settings page's English exactly as the settings facts say it (src/config/sections), for every editable key", async () => {
    const facts: Texts = {};
    for (const e of SETTINGS) {
      const f = e.facts;
      // A key edited on a page of its own (the Modem page's modems) has no field on the Settings page.
      if (!f?.editable || f.ownPage) continue;
      if (f.label) facts[`setting.${e.key}.label`] = f.label;
      if (f.hint) facts[`setting.${e.key}.hint`] = f.hint;
      for (const [v, l] of Object.entries(f.choices ?? {})) facts[`setting.${e.key}.choice.${v}`] = l;
      const parts = e.key.split(".");
      for (let i = 1; i < parts.length; i++) {
        const section = sectionFacts(parts.slice(0, i).join("."));
        const p = parts.slice(0, i).join(".");
        if (section?.label) facts[`setting.section.${p}`] = section.label;
        if (section?.hint) facts[`setting.section.${p}.hint`] = section.hint;
      }
    }
    const en = await texts("en");
    const inEn = Object.fromEntries(Object.entries(en).filter(([k]) => k.startsWith("setting.")));
    expect(inEn).toEqual(facts);
  });

  it("has a text in en.js for every key the panel's code names", async () => {
    const en = await texts("en");
    const used = new Set<string>();
    for (const file of panelSources())
      for (const m of readFileSync(file, "utf8").matchAll(/\bt\("([a-zA-Z0-9.\-_]+)"/g)) used.add(m[1]!);
    expect(used.size).toBeGreaterThan(300);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
  });

  it("is found by the server with its own name and locale, English first", async () => {
    const languages = await loadPanelLanguages(I18N);
    expect(languages[0]).toMatchObject({ code: "en", name: "English", locale: "en-GB" });
    expect(languages.find((l) => l.code === "de")).toMatchObject({
      name: "Deutsch",
      locale: "de-DE",
      shell: { loading: "Wird geladen…" },
    });
    expect(languages.map((l) => l.code)).not.toContain("index");
  });

  it("picks the browser's language by weight and primary subtag, English otherwise", () => {
    const codes = ["en", "de"];
    expect(negotiateLanguage("de-AT,de;q=0.9,en;q=0.8", codes)).toBe("de");
    expect(negotiateLanguage("fr-FR,fr;q=0.9,de;q=0.5,en;q=0.4", codes)).toBe("de");
    expect(negotiateLanguage("en;q=0.2,de;q=0.9", codes)).toBe("de");
    expect(negotiateLanguage("fr, *;q=0.1", codes)).toBe("en");
    expect(negotiateLanguage("de;q=0", codes)).toBe("en");
    expect(negotiateLanguage(undefined, codes)).toBe("en");
    expect(negotiateLanguage(";;;,,q=", codes)).toBe("en");
  });
});
