// Dashboard: every modem, queue and today's counts (live), charts of the last 14 days, aging.
import { html, useState, useEffect, useData, Loading, api, money, percent, when, count } from "../lib.js";
import { onLive } from "../live.js";
import { ModemTable, withHealth } from "../modems.js";
import { DailyChart } from "../chart.js";
import { maskedNumber } from "../format.js";
import { t, term } from "../i18n/index.js";
import { withMessageState, withLine, debtorName } from "../activity.js";

function Tile({ label, value, id }) {
  return html`<div class="tile" id=${id}>
    <span class="tile-value">${value}</span><span class="tile-label">${label}</span>
  </div>`;
}

/** One message's line: its states in order, the debtor's name once known, the masked number. */
function ActivityLine({ line }) {
  if (line.kind !== "message") return html`<li><time>${when(line.at)}</time> ${line.text}</li>`;
  const who = line.name ?? line.accountId ?? line.to;
  return html`<li class="activity-message" data-message=${line.key}>
    <time>${when(line.at)}</time>
    ${t("dash.activity.message", { who })}${line.name || line.accountId ? html` <span class="muted">${line.to}</span>` : ""}:
    <span class="states"
      >${line.states.map((s, i) => html`${i > 0 ? " → " : ""}<span class=${`badge state-${s}`}>${term("state", s)}</span>`)}</span
    >
    ${line.reason ? html` <span class="muted">${line.reason}</span>` : ""}
  </li>`;
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
    const push = (line) => setActivity((a) => withLine(a, line));
    // The debtor's name arrives after the line: it is filled in where the line stands.
    const name = (accountId) =>
      debtorName(accountId).then(
        (n) => n && setActivity((a) => a.map((l) => (l.accountId === accountId && !l.name ? { ...l, name: n } : l))),
      );
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
          kind: "inbound",
          at: e.receivedAt,
          text: e.keyword
            ? t("dash.activity.receivedKeyword", { from: maskedNumber(e.from), keyword: e.keyword.toUpperCase() })
            : t("dash.activity.received", { from: maskedNumber(e.from) }),
        });
      }),
      onLive("keyword.action", (e) =>
        push({
          kind: "keyword",
          at: e.at,
          text: t("dash.activity.keyword", { keyword: e.keyword.toUpperCase(), from: maskedNumber(e.from) }),
        }),
      ),
      onLive("message.state", (e) => {
        setActivity((a) => withMessageState(a, e));
        if (e.origin?.accountId) name(e.origin.accountId);
      }),
    ];
    return () => offs.forEach((off) => off());
  }, []);

  return html`
    <h1 tabindex="-1">${t("nav.dashboard")}</h1>
    <${Loading} state=${state}
      >${(d) =>
        html` <section aria-labelledby="modem-h" class="panel">
            <h2 id="modem-h">${t("dash.modems")}</h2>
            <${ModemTable} id="dash-modems" modems=${modems ?? d.modems} currency=${d.currency} />
          </section>
          <section aria-labelledby="today-h" class="panel">
            <h2 id="today-h">${t("dash.today")}</h2>
            <div class="tiles" aria-live="polite">
              <${Tile}
                id="tile-queue"
                label=${t("dash.tile.queue")}
                value=${stats ? count(stats.queued + stats.sending) : "–"}
              />
              <${Tile} id="tile-sent" label=${t("dash.tile.sent")} value=${count(stats?.sentToday)} />
              <${Tile} id="tile-delivered" label=${t("dash.tile.delivered")} value=${count(stats?.deliveredToday)} />
              <${Tile} id="tile-failed" label=${t("dash.tile.failed")} value=${count(stats?.failedToday)} />
              <${Tile} id="tile-received" label=${t("dash.tile.received")} value=${count(receivedToday)} />
              <${Tile} label=${t("dash.tile.parts")} value=${count(stats?.partsThisMonth)} />
            </div>
          </section>
          <section aria-labelledby="activity-h" class="panel">
            <h2 id="activity-h">${t("dash.activity")}</h2>
            ${
              activity.length === 0
                ? html`<p class="muted">${t("dash.activity.empty")}</p>`
                : html`<ul class="activity" id="activity">
                    ${activity.map((a) => html`<${ActivityLine} key=${a.key} line=${a} />`)}
                  </ul>`
            }
          </section>
          <section aria-labelledby="charts-h" class="panel charts">
            <h2 id="charts-h">${t("dash.charts")}</h2>
            <${DailyChart}
              title=${t("dash.chart.messages")}
              days=${d.days.map((x) => x.day)}
              series=${[
                { label: t("dash.tile.sent"), values: d.days.map((x) => x.sent), color: "#1f5fbf" },
                { label: t("dash.tile.delivered"), values: d.days.map((x) => x.delivered), color: "#17803d" },
                { label: t("dash.tile.failed"), values: d.days.map((x) => x.failed), color: "#b42318" },
                { label: t("dash.tile.received"), values: d.days.map((x) => x.received), color: "#7a4cc2" },
              ]}
            />
            <${DailyChart}
              title=${t("dash.chart.rate")}
              yRange=${[0, 100]}
              days=${d.days.map((x) => x.day)}
              series=${[{ label: t("dash.chart.rateSeries"), values: d.days.map((x) => (x.sent ? Math.round((x.delivered / x.sent) * 100) : null)), color: "#17803d" }]}
            />
          </section>
          <section aria-labelledby="aging-h" class="panel">
            <h2 id="aging-h">${t("dash.aging")}</h2>
            <p>
              ${t("dash.onTime")} <strong id="dash-ontime">${percent(d.onTime?.rate)}</strong>${" · "}<a href="/reports"
                >${t("nav.reports")}</a
              >
            </p>
            ${
              !d.aging || d.aging.rows.length === 0
                ? html`<p class="muted">${t("acc.nothingOpen")}</p>`
                : html`<div class="table-wrap">
                    <table id="aging-table">
                      <caption class="sr-only">
                        ${t("dash.aging.caption")}
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">${t("dash.aging.days")}</th>
                          ${d.aging.rows.map((r) => html`<th scope="col" key=${r.currency}>${r.currency}</th>`)}
                        </tr>
                      </thead>
                      <tbody>
                        ${d.aging.buckets.map(
                          (b) =>
                            html`<tr key=${b}>
                              <th scope="row">${term("aging", b)}</th>
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
