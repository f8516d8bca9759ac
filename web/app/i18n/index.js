// The panel's language: English or German (adding one is one file, <lang>.js, and a line in
// LANGUAGES). Chosen per user and kept in this browser; dates, numbers and money follow it (Intl).
import en from "./en.js";

export const LANGUAGES = { en: "English", de: "Deutsch" };
/** BCP 47 tag for Intl, per language. */
const LOCALES = { en: "en-GB", de: "de-DE" };

let dictionary = en;
export const i18n = { lang: "en", locale: LOCALES.en };

const storageKey = (user) => `duegate.lang.${user}`;

/** The user's choice, else the browser's language when the panel has it, else English. */
export function preferredLanguage(user) {
  const saved = localStorage.getItem(storageKey(user));
  if (saved && saved in LANGUAGES) return saved;
  const browser = (navigator.language ?? "en").slice(0, 2);
  return browser in LANGUAGES ? browser : "en";
}

export function rememberLanguage(user, lang) {
  localStorage.setItem(storageKey(user), lang);
}

export async function useLanguage(lang) {
  const chosen = lang in LANGUAGES ? lang : "en";
  dictionary = chosen === "en" ? en : { ...en, ...(await import(`./${chosen}.js`)).default };
  i18n.lang = chosen;
  i18n.locale = LOCALES[chosen] ?? chosen;
  document.documentElement.lang = chosen;
}

/** The text for key in the user's language; {name} placeholders filled from vars; English when a language lacks it. */
export function t(key, vars = {}) {
  const text = dictionary[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}
