// The panel's language. Each language is one file here, <code>.js, with the keys of en.js (its
// own name and locale among them); the server lists the files and tells the panel, with the
// session (GET /api/v1/me), which one the user chose, or which their browser asks for.
// Dates, numbers and money follow the language's locale (Intl, web/app/lib.js).
import en from "./en.js";

let dictionary = en;
export const i18n = {
  lang: "en",
  locale: en["language.locale"],
  /** [{ code, name, locale }] as the server found the files (src/http/panel-languages.ts). */
  languages: [{ code: "en", name: en["language.name"], locale: en["language.locale"] }],
};

/** Loads the user's language before the panel draws anything, so that the first paint is in it. */
export async function useLanguage(lang, languages = i18n.languages) {
  if (Array.isArray(languages) && languages.length > 0) i18n.languages = languages;
  const known = i18n.languages.find((l) => l.code === lang);
  const chosen = known ? lang : "en";
  dictionary = chosen === "en" ? en : { ...en, ...(await import(`./${chosen}.js`)).default };
  i18n.lang = chosen;
  i18n.locale = dictionary["language.locale"] ?? known?.locale ?? chosen;
  document.documentElement.lang = chosen;
}

/** The text for key in the user's language; {name} placeholders filled from vars; English when a language lacks it. */
export function t(key, vars = {}) {
  const text = dictionary[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A value the server names (a message state, a keyword, a registration) in the user's language; as sent when there is no text for it. */
export function term(kind, value) {
  const key = `${kind}.${value}`;
  return key in dictionary || key in en ? t(key) : String(value ?? "");
}
