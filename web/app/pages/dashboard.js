// Dashboard: every modem, queue and today's counts (live), charts of the last 14 days, aging.
import { html, useState, useEffect, useData, Loading, api, money, percent, when } from "../lib.js";
import { onLive } from "../live.js";
import { t } from "../i18n/index.js";
import { ModemTable, withHealth } from "../modems.js";
import { DailyChart } from "../chart.js";
import { maskedNumber } from "../format.js";

function Tile({ label, value, id }) {
  return html`<div class="tile" id=${id}>
    <span class="tile-value">${value}</span><span class="tile-label">${label}</span>
  </div>`;
}

export function DashboardPage() {
  const state = useData(() => api("/api/v1/dashboard"));
  const [modems, setModems] = useState(null);
  const [stats, setStats] = useState(null);
  const [receivedToday, setReceivedToday] = useState(null);
  const [activity, setActivity] = useState([]);

  useEffect(() => {
    if (!state.data) return;
    setModems(state.data.modems);
    setStats(state.data.stats);
    setReceivedToday(state.data.receivedToday);
  }, [state.data]);

  useEffect(() => {
    const push = (line) => setActivity((a) => [line, ...a].slice(0, 20));
    const reloadModems = () =>
      api("/api/v1/modems")
        .then((d) => setModems(d.items))
        .catch(() => {});
    const offs = [
      onLive("snapshot", (s) => {
        if (s.modems) setModems(s.modems);
        if (s.stats) setStats(s.stats);
      }),
      onLive("modem.health", (h) => setModems((ms) => withHealth(ms, h))),
      onLive("modem.rotation", reloadModems),
      onLive("modem.credit", reloadModems),
      onLive("stats", setStats),
      onLive("inbound.received", (e) => {
        setReceivedToday((n) => (n ?? 0) + 1);
        push({
          at: e.receivedAt,
          text: `SMS received from ${maskedNumber(e.from)}${e.keyword ? ` (${e.keyword})` : ""}`,
        });
      }),
      onLive("keyword.action", (e) =>
        push({ at: e.at, text: `Keyword ${e.keyword.toUpperCase()} from ${maskedNumber(e.from)}` }),
      ),
      onLive("message.state", (e) =>
        push({ at: e.at, text: `Message to ${maskedNumber(e.to)} ${e.state}${e.reason ? `: ${e.reason}` : ""}` }),
      ),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  return html`
    <h1 tabindex="-1">Dashboard</h1>
    <${Loading} state=${state}
      >${(d) =>
        html` <section aria-labelledby="modem-h" class="panel">
            <h2 id="modem-h">${t("dash.modems")}</h2>
            <${ModemTable} id="dash-modems" modems=${modems ?? d.modems} currency=${d.currency} />
          </section>
          <section aria-labelledby="today-h" class="panel">
            <h2 id="today-h">Today</h2>
            <div class="tiles" aria-live="polite">
              <${Tile} id="tile-queue" label="In queue" value=${stats ? stats.queued + stats.sending : "–"} />
              <${Tile} id="tile-sent" label="Sent" value=${stats?.sentToday ?? "–"} />
              <${Tile} id="tile-delivered" label="Delivered" value=${stats?.deliveredToday ?? "–"} />
              <${Tile} id="tile-failed" label="Failed" value=${stats?.failedToday ?? "–"} />
              <${Tile} id="tile-received" label="Received" value=${receivedToday ?? "–"} />
              <${Tile} label="Parts this month" value=${stats?.partsThisMonth ?? "–"} />
            </div>
          </section>
          <section aria-labelledby="activity-h" class="panel">
            <h2 id="activity-h">Live activity</h2>
            ${
              activity.length === 0
                ? html`<p class="muted">Nothing yet since this page was opened.</p>`
                : html`<ul class="activity" id="activity">
                    ${activity.map((a, i) => html`<li key=${i}><time>${when(a.at)}</time> ${a.text}</li>`)}
                  </ul>`
            }
          </section>
          <section aria-labelledby="charts-h" class="panel charts">
            <h2 id="charts-h">Last 14 days</h2>
            <${DailyChart}
              title="Messages per day"
              days=${d.days.map((x) => x.day)}
              series=${[
                { label: "Sent", values: d.days.map((x) => x.sent), color: "#1f5fbf" },
                { label: "Delivered", values: d.days.map((x) => x.delivered), color: "#17803d" },
                { label: "Failed", values: d.days.map((x) => x.failed), color: "#b42318" },
                { label: "Received", values: d.days.map((x) => x.received), color: "#7a4cc2" },
              ]}
            />
            <${DailyChart}
              title="Delivery rate (%)"
              yRange=${[0, 100]}
              days=${d.days.map((x) => x.day)}
              series=${[{ label: "Delivered / sent", values: d.days.map((x) => (x.sent ? Math.round((x.delivered / x.sent) * 100) : null)), color: "#17803d" }]}
            />
          </section>
          <section aria-labelledby="aging-h" class="panel">
            <h2 id="aging-h">Receivables aging</h2>
            <p>
              On-time payment rate, last 30 days: <strong id="dash-ontime">${percent(d.onTime?.rate)}</strong> ·
              <a href="/reports">Reports</a>
            </p>
            ${
              !d.aging || d.aging.rows.length === 0
                ? html`<p class="muted">Nothing open.</p>`
                : html`<div class="table-wrap">
                    <table id="aging-table">
                      <caption class="sr-only">
                        Open invoices by days past due
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">Days past due</th>
                          ${d.aging.rows.map((r) => html`<th scope="col" key=${r.currency}>${r.currency}</th>`)}
                        </tr>
                      </thead>
                      <tbody>
                        ${d.aging.buckets.map(
                          (b) =>
                            html`<tr key=${b}>
                              <th scope="row">${b}</th>
                              ${d.aging.rows.map((r) => html`<td key=${r.currency}>${r.counts[b] ? `${money(r.amounts[b], r.currency)} (${r.counts[b]})` : "–"}</td>`)}
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>`}
    <//>
  `;
}
