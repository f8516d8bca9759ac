/* global URLSearchParams */
// The login form: posts JSON, then goes to the page that sent the user here.
import { safeNextPath } from "./next-path.js";
import { t, useLanguage } from "./i18n/index.js";

const form = document.getElementById("login");
const error = document.getElementById("login-error");

function nextPage() {
  // Only a path on this server: never an open redirect.
  return safeNextPath(new URLSearchParams(location.search).get("next"));
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.textContent = "";
  const body = { name: form.elements.name.value.trim(), password: form.elements.password.value };
  if (!body.name || !body.password) {
    error.textContent = t("login.missing");
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const res = await fetch("/api/v1/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.ok) {
      location.assign(nextPage());
      return;
    }
    const data = await res.json().catch(() => ({}));
    error.textContent =
      res.status === 401 ? t("login.wrong") : (data?.error?.message ?? t("login.failed", { status: res.status }));
  } catch {
    error.textContent = t("login.noAnswer");
  } finally {
    button.disabled = false;
  }
});

/**
 * Nobody is known before the login: the page speaks the browser's language when the panel has
 * it (a file web/app/i18n/<code>.js), else English. After the login the user's own choice rules.
 */
async function browserLanguage() {
  for (const tag of navigator.languages ?? [navigator.language]) {
    const code = String(tag ?? "")
      .split("-")[0]
      .toLowerCase();
    if (!/^[a-z]{2,3}$/.test(code)) continue;
    if (code === "en") return "en";
    try {
      const texts = (await import(`./i18n/${code}.js`)).default;
      return { code, locale: texts["language.locale"] ?? code };
    } catch {
      // no file for this language: try the browser's next one
    }
  }
  return "en";
}

browserLanguage().then(async (found) => {
  if (found === "en") return;
  await useLanguage(found.code, [{ code: "en" }, { code: found.code, locale: found.locale }]);
  for (const el of document.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  document.title = t("login.title");
});
