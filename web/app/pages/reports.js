// Reports: on-time payment rate, days sales outstanding, how well each reminder step works,
// learned send hours against the holdout, and SMS parts and cost per day, for a period
// (default: the last 30 days). Five small requests to the REST API's /api/v1/reports
// (docs/reports.md); one chart.
import { html, useState, useEffect, useData, Loading, api, money, percent } from "../lib.js";
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

const number = (x, digits = 1) => (x === null || x === undefined ? "–" : x.toFixed(digits));

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
  return html` <h1 tabindex="-1">Reports</h1>
    <form class="row panel" onSubmit=${apply} aria-label="Period">
      <label
        >From
        <input
          type="date"
          id="report-from"
          value=${draft.from}
          onInput=${(e) => setDraft({ ...draft, from: e.target.value })}
      /></label>
      <label
        >To
        <input
          type="date"
          id="report-to"
          value=${draft.to}
          onInput=${(e) => setDraft({ ...draft, to: e.target.value })}
      /></label>
      <button type="submit">Show</button>
    </form>
    <${Loading} state=${state}
      >${(d) =>
        html` <p class="muted" id="report-period">
            ${d.onTime.from} to ${d.onTime.to} (gateway time zone ${d.cost.timeZone})
          </p>
          <section aria-labelledby="rates-h" class="panel">
            <h2 id="rates-h">Payments</h2>
            <div class="tiles">
              <div class="tile" id="report-ontime">
                <span class="tile-value">${percent(d.onTime.rate)}</span
                ><span class="tile-label">paid on time (${d.onTime.onTime} of ${d.onTime.paid})</span>
              </div>
              <div class="tile">
                <span class="tile-value">${number(d.onTime.averageDaysLate)}</span
                ><span class="tile-label">average days late</span>
              </div>
              ${d.dso.rows.map((r) => html`<div class="tile" key=${r.currency} id=${`report-dso-${r.currency}`}><span class="tile-value">${number(r.dso)}</span><span class="tile-label">DSO ${r.currency} (${r.periodDays} days: ${money(r.receivables, r.currency)} open of ${money(r.sales, r.currency)} invoiced)</span></div>`)}
            </div>
          </section>
          <section aria-labelledby="steps-h" class="panel">
            <h2 id="steps-h">Reminder steps</h2>
            ${
              d.steps.rows.length === 0
                ? html`<p class="muted">No reminders were sent in this period.</p>`
                : html`<div class="table-wrap">
                    <table id="steps-table">
                      <thead>
                        <tr>
                          <th scope="col">Step</th>
                          <th scope="col">Sent</th>
                          <th scope="col">Paid within ${d.steps.withinDays} days</th>
                          <th scope="col">Share</th>
                          <th scope="col">Combined</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${d.steps.rows.map(
                          (r) =>
                            html`<tr key=${r.step}>
                              <th scope="row">${r.step}</th>
                              <td>${r.sent}</td>
                              <td>${r.paidWithin}</td>
                              <td>${percent(r.share)}</td>
                              <td>${r.consolidated}</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          <section aria-labelledby="send-time-h" class="panel">
            <h2 id="send-time-h">Send time: learned hours against the holdout</h2>
            ${
              d.sendTime.rows.every((r) => r.debtors === 0)
                ? html`<p class="muted">
                    No debtor of a sequence with learned send times was reminded in this period.
                  </p>`
                : html`<div class="table-wrap">
                    <table id="send-time-table">
                      <thead>
                        <tr>
                          <th scope="col">Group</th>
                          <th scope="col">Debtors</th>
                          <th scope="col">Reminders</th>
                          <th scope="col">At a learned hour</th>
                          <th scope="col">Paid within ${d.sendTime.withinDays} days</th>
                          <th scope="col">Replies per debtor</th>
                          <th scope="col">Opt-outs</th>
                        </tr>
                      </thead>
                      <tbody>
                        ${d.sendTime.rows.map(
                          (r) =>
                            html`<tr key=${r.group}>
                              <th scope="row">${r.group === "learning" ? "learning" : "holdout (step time)"}</th>
                              <td>${r.debtors}</td>
                              <td>${r.reminders}</td>
                              <td>${r.atLearnedHour}</td>
                              <td>${r.paidWithin} (${percent(r.paidShare)})</td>
                              <td>${number(r.repliesPerDebtor, 2)}</td>
                              <td>${r.optOuts} (${percent(r.optOutShare)})</td>
                            </tr>`,
                        )}
                      </tbody>
                    </table>
                  </div>`
            }
          </section>
          <section aria-labelledby="cost-h" class="panel charts">
            <h2 id="cost-h">SMS parts and cost</h2>
            <p id="report-cost-total">
              ${d.cost.totals.messages} messages, ${d.cost.totals.parts} parts, cost ${number(d.cost.totals.cost, 2)}
              (${d.cost.costPerPart} per part)
            </p>
            <${DailyChart}
              title="Parts per day"
              days=${d.cost.rows.map((r) => r.period)}
              series=${[{ label: "Parts", values: d.cost.rows.map((r) => r.parts), color: "#1f5fbf" }]}
            />
            <${DailyChart}
              title="Cost per day"
              days=${d.cost.rows.map((r) => r.period)}
              series=${[{ label: "Cost", values: d.cost.rows.map((r) => r.cost), color: "#b45309" }]}
            />
          </section>`}
    <//>`;
}
