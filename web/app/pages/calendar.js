// Calendar: the reminders the dunning engine plans for the next 30 days, day by day.
import { html, useData, Loading, api, money } from "../lib.js";
import { i18n, t, term } from "../i18n/index.js";

function byDay(items) {
  const days = new Map();
  for (const r of items) {
    if (!days.has(r.date)) days.set(r.date, []);
    days.get(r.date).push(r);
  }
  return [...days.entries()].sort(([a], [b]) => a.localeCompare(b));
}

// Made when drawn, not at import: the user's language is loaded after the modules.
const weekday = () =>
  new Intl.DateTimeFormat(i18n.locale, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });

export function CalendarPage() {
  const state = useData(() => api("/api/v1/forecast", { query: { days: 30, limit: 2000 } }));
  return html` <h1 tabindex="-1">${t("nav.calendar")}</h1>
    <p class="muted">${t("cal.intro")}</p>
    <${Loading} state=${state}
      >${(d) =>
        d.items.length === 0
          ? html`<p>${t("cal.empty", { days: d.days })}</p>`
          : html`${d.total > d.items.length ? html`<p class="muted">${t("cal.more", { shown: d.items.length, total: d.total })}</p>` : ""}
              <ol class="calendar" id="calendar">
                ${byDay(d.items).map(
                  ([date, items]) =>
                    html`<li key=${date} class="panel">
                      <h2>
                        <time datetime=${date}>${weekday().format(new Date(`${date}T12:00:00Z`))}</time>
                        <span class="badge">${items.length}</span>
                      </h2>
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">${t("cal.col.time")}</th>
                            <th scope="col">${t("cal.col.account")}</th>
                            <th scope="col">${t("cal.col.step")}</th>
                            <th scope="col">${t("cal.col.invoices")}</th>
                            <th scope="col">${t("cal.col.amount")}</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${items.map(
                            (r, i) =>
                              html`<tr key=${i}>
                                <td>
                                  ${r.time}${r.learnedTime ? html` <span class="badge" title=${t("cal.learnedTitle")}>${t("cal.learned")}</span>` : ""}
                                </td>
                                <td><a href=${`/accounts?id=${encodeURIComponent(r.accountId)}`}>${r.accountId}</a></td>
                                <td>
                                  ${r.step}${r.consolidated ? ` ${t("cal.combined")}` : ""}${r.mark ? html` <span class="badge state-failed">${term("today.mark", r.mark)}</span>` : ""}
                                </td>
                                <td>${r.invoiceIds.join(", ")}</td>
                                <td>${money(r.amountDue, r.currency)}</td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>
                    </li>`,
                )}
              </ol>`}
    <//>`;
}
