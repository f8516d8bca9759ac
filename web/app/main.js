/* global history */
// The panel shell: who is logged in, the navigation, the live connection, and the page
// chosen by the path (the server serves this shell for every page path).
import { html, render, useState, useEffect, api, session, navigate } from "./lib.js";
import { startLive, onConnection } from "./live.js";
import { t, i18n, useLanguage } from "./i18n/index.js";
import { DemoClock } from "./demo-clock.js";
import { DashboardPage } from "./pages/dashboard.js";
import { TodayPage } from "./pages/today.js";
import { MessagesPage } from "./pages/messages.js";
import { InboxPage } from "./pages/inbox.js";
import { CalendarPage } from "./pages/calendar.js";
import { ReportsPage } from "./pages/reports.js";
import { AccountsPage } from "./pages/accounts.js";
import { OptOutsPage } from "./pages/opt-outs.js";
import { PolicyPage } from "./pages/policy.js";
import { SendPage } from "./pages/send.js";
import { ModemPage } from "./pages/modem.js";
import { SettingsPage } from "./pages/settings.js";
import { LogsPage } from "./pages/logs.js";

const PAGES = [
  { path: "/today", key: "nav.today", view: TodayPage },
  { path: "/", key: "nav.dashboard", view: DashboardPage },
  { path: "/messages", key: "nav.messages", view: MessagesPage },
  { path: "/inbox", key: "nav.inbox", view: InboxPage },
  { path: "/calendar", key: "nav.calendar", view: CalendarPage },
  { path: "/reports", key: "nav.reports", view: ReportsPage },
  { path: "/accounts", key: "nav.accounts", view: AccountsPage },
  { path: "/opt-outs", key: "nav.optOuts", view: OptOutsPage },
  { path: "/policy", key: "nav.policy", view: PolicyPage },
  { path: "/send", key: "nav.send", view: SendPage },
  { path: "/modem", key: "nav.modem", view: ModemPage },
  { path: "/settings", key: "nav.settings", view: SettingsPage },
  { path: "/logs", key: "nav.logs", view: LogsPage },
];

function currentPage() {
  const path = location.pathname;
  // /accounts/<id> is the Accounts page with one account open.
  return (
    PAGES.find((p) => p.path === path) ??
    PAGES.find((p) => p.path !== "/" && path.startsWith(`${p.path}/`)) ??
    PAGES.find((p) => p.path === "/")
  );
}

function NavLink({ page, active, onClick }) {
  return html`<li>
    <a href=${page.path} aria-current=${active ? "page" : undefined} onClick=${onClick}>${t(page.key)}</a>
  </li>`;
}

function App() {
  const [page, setPage] = useState(currentPage());
  const [path, setPath] = useState(location.pathname);
  const [menuOpen, setMenuOpen] = useState(false);
  const [live, setLive] = useState(false);

  useEffect(() => {
    const update = () => {
      setPage(currentPage());
      setPath(location.pathname);
      setMenuOpen(false);
    };
    window.addEventListener("popstate", update);
    window.addEventListener("duegate:navigate", update);
    const off = onConnection(setLive);
    startLive();
    return () => {
      window.removeEventListener("popstate", update);
      window.removeEventListener("duegate:navigate", update);
      off();
    };
  }, []);

  useEffect(() => {
    document.title = `${t(page.key)} · duegate`;
    // Move focus to the new page's heading so that keyboard and screen-reader users know where they are.
    document.querySelector("main h1")?.focus();
  }, [page]);

  const go = (e, path) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(path);
  };

  const logout = async () => {
    await api("/api/v1/logout", { method: "POST" }).catch(() => {});
    location.assign("/login");
  };

  const View = page.view;
  const p = session.principal;
  return html`
    <a class="skip" href="#main">${t("shell.skip")}</a>
    <header class="topbar">
      <button class="menu-button" aria-expanded=${menuOpen} aria-controls="nav" onClick=${() => setMenuOpen(!menuOpen)}>
        ${t("shell.menu")}
      </button>
      <span class="brand">duegate</span>
      <span class=${`live-dot ${live ? "on" : "off"}`} role="status" aria-live="polite"
        >${live ? t("shell.live") : t("shell.offline")}</span
      >
      <${DemoClock} />
      <span class="who">${p.name} <span class="badge">${t(`role.${p.role}`)}</span></span>
      <label class="sr-only" for="language">${t("shell.language")}</label>
      <select id="language" class="language" value=${i18n.lang} onChange=${(e) => switchLanguage(e.target.value)}>
        ${i18n.languages.map((l) => html`<option key=${l.code} value=${l.code} lang=${l.code}>${l.name}</option>`)}
      </select>
      <button class="link" onClick=${logout}>${t("shell.logout")}</button>
    </header>
    <div class="layout">
      <nav id="nav" class=${menuOpen ? "open" : ""} aria-label=${t("nav.pages")}>
        <ul>
          ${PAGES.map((pg) => html`<${NavLink} key=${pg.path} page=${pg} active=${pg === page} onClick=${(e) => go(e, pg.path)} />`)}
        </ul>
      </nav>
      <main id="main" tabindex="-1">
        <${View} key=${path} />
      </main>
    </div>
  `;
}

/**
 * The choice is kept on the user's record (every browser they log in from gets it); a new
 * language then redraws the whole panel: simplest and certain, the page is one reload away.
 */
async function switchLanguage(lang) {
  await api("/api/v1/me/language", { method: "PUT", body: { language: lang } }).catch(() => {});
  location.reload();
}

async function boot() {
  try {
    const me = await api("/api/v1/me");
    session.principal = me.principal;
    session.csrfToken = me.csrfToken;
    // A clerk's day starts on Today; the dashboard is the technician's.
    if (location.pathname === "/" && me.principal?.role === "clerk") history.replaceState(null, "", "/today");
    // The user's language (or their browser's, until they choose) before the first paint.
    await useLanguage(me.language, me.languages).catch(() => useLanguage("en"));
  } catch {
    return; // api() has sent the browser to the login page
  }
  const root = document.getElementById("app");
  root.textContent = "";
  render(html`<${App} />`, root);
}

if (history.scrollRestoration) history.scrollRestoration = "manual";
boot();
