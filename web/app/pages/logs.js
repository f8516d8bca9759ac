// Logs: the recent lines the service keeps in memory (already masked), filtered by level.
import { html, useState, useData, Loading, api, when, Field } from "../lib.js";
import { t } from "../i18n/index.js";

const LEVELS = [
  [20, "debug"],
  [30, "info"],
  [40, "warn"],
  [50, "error"],
];
const NAME = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };

export function LogsPage() {
  const [level, setLevel] = useState(30);
  const [q, setQ] = useState("");
  const [applied, setApplied] = useState("");
  const state = useData(() => api("/api/v1/logs", { query: { level, q: applied, limit: 300 } }), [level, applied]);
  return html` <h1 tabindex="-1">${t("nav.logs")}</h1>
    <form class="filters panel" onSubmit=${(e) => (e.preventDefault(), setApplied(q))}>
      <${Field} id="l-level" label=${t("logs.level")}
        ><select id="l-level" value=${level} onChange=${(e) => setLevel(Number(e.target.value))}>
          ${LEVELS.map(([v, n]) => html`<option key=${v} value=${v}>${n}</option>`)}
        </select><//
      >
      <${Field} id="l-q" label=${t("logs.containing")}
        ><input id="l-q" type="search" value=${q} onInput=${(e) => setQ(e.target.value)}
      /><//>
      <button type="submit">${t("logs.filter")}</button>
      <button type="button" onClick=${state.reload}>${t("logs.refresh")}</button>
    </form>
    <${Loading} state=${state}
      >${(d) =>
        html` ${
          d.items.length === 0 &&
          html`<p class="muted" id="logs-empty">
              ${applied ? t("logs.emptyText", { text: applied, level: NAME[level] }) : t("logs.empty", { level: NAME[level] })}
              <code>journalctl -u duegate</code>.
            </p>`
        }
          <ol class="log" id="log-lines">
            ${[...d.items].reverse().map(
              (l, i) =>
                html`<li key=${i} class=${`lvl-${NAME[l.level] ?? l.level}`}>
                  <time>${when(l.time)}</time>
                  <span class="badge">${NAME[l.level] ?? l.level}</span>
                  ${l.sub ? html`<span class="muted">${l.sub}</span> ` : ""}${l.msg}
                </li>`,
            )}
          </ol>`}
    <//>`;
}
