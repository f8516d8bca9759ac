// Reports: on-time payment rate, days sales outstanding, how well each reminder step works,
// learned send hours against the holdout, and SMS parts and cost per day, for a period
// (default: the last 30 days). Five small requests to the REST API's /api/v1/reports
// (docs/reports.md); one chart.
import { html, useState, useEffect, useData, Loading, api, money, percent, count, day } from "../lib.js";
import { i18n, t } from "../i18n/index.js";
import { DailyChart } from "../chart.js";

function load(period) {
  const q = { from: period.from, to: period.to };
  return Promise.all([
    api("/api/v1/reports/on-time", { query: q }),
    api("/api/v1/reports/dso", { query: { asOf: period.to } }),
    api("/api/v1/reports/steps", { query: q }),
    api("/api/v1/reports/cost", { query: { ...q, by: "day" } }),
    api("/api/v1/reports/send-time", { query: q }),
  ]).then(([onTime, dso, steps, cost, sendTime]) => ({ onTime, dso, steps, cost, sendTime }));
}

/** A figure with a fixed number of decimals, in the user's locale (2,5 in German). */
const number = (x, digits = 1) =>
  x === null || x === undefined
    ? "–"
    : new Intl.NumberFormat(i18n.locale, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(x);

export function ReportsPage() {
  const [period, setPeriod] = useState({ from: "", to: "" });
  const [draft, setDraft] = useState(period);
  const state = useData(() => load(period), [period.from, period.to]);
  // The default period is the server's (last 30 days in the gateway's zone): shown in the fields once known.
  const shown = state.data?.onTime;
  useEffect(() => {
    if (shown && !draft.from && !draft.to) setDraft({ from: shown.from, to: shown.to });
  }, [shown?.from, shown?.to]);
  const apply = (e) => {
    e.preventDefault();
    setPeriod(draft);
  };
  return html` <h1 tabindex="-1">${t("nav.reports")}</h1>
    <form class="row panel" onSubmit=${apply} aria-label=${t("rep.period")}>
      <label
        >${t("rep.from")}
        <input
          type="date"
          id="report-from"
          value=${draft.from}
          onInput=${(e) => setDraft({ ...draft, from: e.target.value })}
      /></label>
      <label
        >${t("rep.to")}
        <input
          type="date"
          id="report-to"
          value=${draft.to}
          onInput=${(e) => setDraft({ ...draft, to: e.target.value })}
      /></label>
      <button type="submit">${t("rep.show")}</button>
    </form>
    <${Loading} state=${state}
      >${(d) =>
        html` <p class="muted" id="report-period">
            <time datetime=${d.onTime.from}>${day(d.onTime.from)}</time>${` ${t("rep.to.lower")} `}<time
              datetime=${d.onTime.to}
              >${day(d.onTime.to)}</time
            >${` ${t("rep.zone", { zone: d.cost.timeZone })}`}
          </p>
          <section aria-labelledby="rates-h" class="panel">
            <h2 id="rates-h">${t("rep.payments")}</h2>
            <div class="tiles">
              <div class="tile" id="report-ontime">
                <span class="tile-value">${percent(d.onTime.rate)}</span
                ><span class="tile-label"
                  >${t("rep.onTime", { n: count(d.onTime.onTime), of: count(d.onTime.paid) })}</span
                >
              </div>
              <div class="tile">
                <span class="tile-value">${number(d.onTime.averageDaysLate)}</span
                ><span class="tile-label">${t("rep.daysLate")}</span>
              </div>
              ${d.dso.rows.map((r) => html`<div class="tile" key=${r.currency} id=${`report-dso-${r.currency}`}><span class="tile-value">${number(r.dso)}</span><span class="tile-label">${t("rep.dso", { currency: r.currency, days: count(r.periodDays), open: money(r.receivables, r.currency), invoiced: money(r.sales, r.currency) })}</span></div>`)}
            </div>
          </section>
          <section aria-labelledby="steps-h" class="panel">
            <h2 id="steps-h">${t("rep.steps")}</h2>
            ${
              d.steps.rows.length === 0
                ? html`<p class="muted">${t("rep.steps.empty")}</p>`
                : html`<div class="table-wrap">
                    <table id="steps-table">
                      <thead>
                        <tr>
                          <th scope="col">${t("cal.col.step")}</th>
                          <th scope="col">${t("dash.tile.sent")}</th>
                          <th scope="col">${t("rep.paidWithin", { days: d.steps.withinDays })}</th>
                          <th scope="col">${t("rep.share")}</th>
                          <th scope="col">${t("rep.combined")}</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${d.steps.rows.map(
                          (r) =>
                            html`<tr key=${r.step}>
                              <th scope="row">${r.step}</th>
                              <td>${count(r.sent)}</td>
                              <td>${count(r.paidWithin)}</td>
                              <td>${percent(r.share)}</td>
                              <td>${count(r.consolidated)}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          <section aria-labelledby="send-time-h" class="panel">
            <h2 id="send-time-h">${t("rep.sendTime")}</h2>
            ${
              d.sendTime.rows.every((r) => r.debtors === 0)
                ? html`<p class="muted">${t("rep.sendTime.empty")}</p>`
                : html`<div class="table-wrap">
                    <table id="send-time-table">
                      <thead>
                        <tr>
                          <th scope="col">${t("rep.group")}</th>
                          <th scope="col">${t("rep.debtors")}</th>
                          <th scope="col">${t("rep.reminders")}</th>
                          <th scope="col">${t("rep.atLearned")}</th>
                          <th scope="col">${t("rep.paidWithin", { days: d.sendTime.withinDays })}</th>
                          <th scope="col">${t("rep.repliesPerDebtor")}</th>
                          <th scope="col">${t("nav.optOuts")}</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${d.sendTime.rows.map(
                          (r) =>
                            html`<tr key=${r.group}>
                              <th scope="row">${r.group === "learning" ? t("rep.learning") : t("rep.holdout")}</th>
                              <td>${count(r.debtors)}</td>
                              <td>${count(r.reminders)}</td>
                              <td>${count(r.atLearnedHour)}</td>
                              <td>${count(r.paidWithin)} (${percent(r.paidShare)})</td>
                              <td>${number(r.repliesPerDebtor, 2)}</td>
                              <td>${count(r.optOuts)} (${percent(r.optOutShare)})</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          <section aria-labelledby="cost-h" class="panel charts">
            <h2 id="cost-h">${t("rep.cost")}</h2>
            <p id="report-cost-total">
              ${t("rep.cost.total", { messages: count(d.cost.totals.messages), parts: count(d.cost.totals.parts), cost: number(d.cost.totals.cost, 2), perPart: count(d.cost.costPerPart, 4) })}
            </p>
            <${DailyChart}
              title=${t("rep.partsPerDay")}
              days=${d.cost.rows.map((r) => r.period)}
              series=${[{ label: t("msg.parts"), values: d.cost.rows.map((r) => r.parts), color: "#1f5fbf" }]}
            />
            <${DailyChart}
              title=${t("rep.costPerDay")}
              days=${d.cost.rows.map((r) => r.period)}
              series=${[{ label: t("rep.costSeries"), values: d.cost.rows.map((r) => r.cost), color: "#b45309" }]}
            />
          </section>`}
    <//>`;
}
