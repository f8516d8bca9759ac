// Accounts and invoices: search, balance, aging, opt-out, the hour its reminders go at and
// why (docs/send-time.md), every reminder and reply of an account, and the evidence export (everything sent to and received from it, as JSON or CSV).
// One account has its own address, /accounts/<id>, so that Back and a shared link work.
// A clerk records a promise, resumes reminders, resolves a dispute and clears a mark here.
import {
  html,
  useState,
  useData,
  Loading,
  api,
  can,
  when,
  day,
  money,
  StateBadge,
  Field,
  Notice,
  queryParams,
  navigate,
  count,
} from "../lib.js";
import { t, term } from "../i18n/index.js";

function todayIso() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

function PromiseForm({ id, onDone }) {
  const [date, setDate] = useState("");
  const [error, setError] = useState(null);
  const save = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      await api(`/api/v1/accounts/${encodeURIComponent(id)}/promise`, { method: "POST", body: { date } });
      onDone(t("acc.promiseRecorded", { date: day(date) }));
      setDate("");
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="filters" onSubmit=${save} aria-label=${t("acc.promiseForm")} id="promise-form">
    <${Field} id="p-date" label=${t("acc.promisedBy")} error=${error} hint=${t("acc.promiseHint")}>
      <input
        id="p-date"
        type="date"
        required
        min=${todayIso()}
        value=${date}
        onInput=${(e) => setDate(e.target.value)}
        aria-invalid=${error ? "true" : undefined}
      />
    <//>
    <button type="submit">${t("acc.recordPromise")}</button>
  </form>`;
}

const span = (h) => `${String(h).padStart(2, "0")}:00-${String(h + 1).padStart(2, "0")}:00`;

// The learner's choice and its evidence per hour of the send window.
function SendTime({ id }) {
  const state = useData(() => api(`/api/v1/accounts/${encodeURIComponent(id)}/send-time`), [id]);
  return html`<section aria-labelledby="send-time-h" id="send-time">
    <h3 id="send-time-h">${t("acc.sendTime")}</h3>
    <${Loading} state=${state}
      >${(s) =>
        html` <p id="send-time-choice">
            <strong>${s.time}</strong
            >${" "}${s.learned ? html`<span class="badge">${t("cal.learned")}</span>` : html`<span class="badge">${s.sendTime === "learned" ? (s.group === "holdout" ? t("acc.holdout") : t("acc.stepTime")) : t("acc.fixed")}</span>`}${" "}<span
              class="muted"
              >${t("acc.sequenceStep", { sequence: s.sequence, time: s.stepTime })}</span
            >
          </p>
          <p id="send-time-reason">${s.reason}</p>
          ${
            s.hours.some((h) => h.sent || h.acted) &&
            html`<div class="table-wrap">
              <table id="send-time-hours">
                <thead>
                  <tr>
                    <th scope="col">${t("acc.hour")}</th>
                    <th scope="col">${t("acc.remindersSent")}</th>
                    <th scope="col">${t("acc.followed")}</th>
                    <th scope="col">${t("acc.acted")}</th>
                    <th scope="col">${t("acc.score")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${s.hours
                    .filter((h) => h.sent || h.acted || h.hour === s.bestHour)
                    .map(
                      (h) =>
                        html`<tr key=${h.hour} class=${h.hour === s.bestHour ? "selected" : ""}>
                          <th scope="row">${span(h.hour)}</th>
                          <td>${count(h.sent)}</td>
                          <td>${count(h.worked)}</td>
                          <td>${count(h.acted)}</td>
                          <td>${count(h.score, 2)}</td>
                        </tr>`,
                    )}
                </tbody>
              </table>
            </div>`
          }`}
    <//>
  </section>`;
}

function AccountDetail({ id, onClose }) {
  const state = useData(() => api(`/api/v1/accounts/${encodeURIComponent(id)}`), [id]);
  const [notice, setNotice] = useState(null);
  const [confirmOptOut, setConfirmOptOut] = useState(false);
  const act = async (call, ok) => {
    try {
      await call();
      setNotice({ kind: "ok", text: ok });
      state.reload();
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  const path = `/api/v1/accounts/${encodeURIComponent(id)}`;
  const setOptOut = (optedOut) => {
    setConfirmOptOut(false);
    return act(
      () => api("/api/v1/optout", { method: "POST", body: { accountId: id, optedOut } }),
      optedOut ? t("acc.optedOut") : t("acc.optedIn"),
    );
  };
  const desk = can("desk");
  return html`<section class="panel detail" aria-labelledby="acc-h">
    <${Loading} state=${state}
      >${(d) =>
        html` <div class="row">
            <h2 id="acc-h">${d.account.name} <small class="muted">${d.account.id}</small></h2>
            <button class="link" onClick=${onClose}>${t("acc.close")}</button>
          </div>
          <${Notice} notice=${notice} />
          ${(d.marks ?? []).map(
            (m) =>
              html`<p class="notice mark" key=${m.mark} id=${`mark-${m.mark}`}>
                <strong>${t(`acc.mark.${m.mark}`)}</strong> ${t("acc.markAfter", { step: m.step, at: when(m.at) })}
                ${desk && html` <button class="link" onClick=${() => act(() => api(`${path}/marks/${m.mark}`, { method: "DELETE" }), t("acc.markCleared"))}>${t("acc.clearMark")}</button>`}
              </p>`,
          )}
          <dl class="facts">
            <div>
              <dt>${t("acc.phones")}</dt>
              <dd>
                ${d.account.phones.map((p, i) => html`${i > 0 ? ", " : ""}${p}${(d.suppressed ?? []).includes(p) ? html` <span class="badge state-failed" title=${t("acc.suppressedTitle")}>${t("acc.suppressed")}</span>` : ""}`)}
              </dd>
            </div>
            <div>
              <dt>${t("acc.locale")}</dt>
              <dd>${d.account.locale}</dd>
            </div>
            <div>
              <dt>${t("acc.segment")}</dt>
              <dd>${d.account.segment ?? "–"}</dd>
            </div>
            <div>
              <dt>${t("acc.optOut")}</dt>
              <dd>
                ${d.account.optedOut ? html`<span class="badge state-failed">${t("acc.optedOutBadge")}</span> ${d.account.optOutSource ?? ""}` : t("acc.no")}
              </dd>
            </div>
            <div>
              <dt>${t("acc.pausedUntil")}</dt>
              <dd id="paused-until">
                ${d.account.pausedUntil ? html`<time datetime=${d.account.pausedUntil}>${day(d.account.pausedUntil)}</time>` : "–"}${d.account.pauseReason ? html`<small class="muted"> ${d.account.pauseReason}</small>` : ""}
              </dd>
            </div>
          </dl>
          <div class="actions">
            ${desk && !confirmOptOut && html`<button onClick=${() => (d.account.optedOut ? setOptOut(false) : setConfirmOptOut(true))}>${d.account.optedOut ? t("acc.optInAgain") : t("acc.optOutButton")}</button>`}
            ${
              desk &&
              confirmOptOut &&
              html`<span role="alert" class="confirm"
                >${t("acc.confirmOptOut", { name: d.account.name })}
                <button class="danger" onClick=${() => setOptOut(true)}>${t("acc.yesOptOut")}</button>
                <button class="link" onClick=${() => setConfirmOptOut(false)}>${t("acc.keep")}</button></span
              >`
            }
            ${desk && d.account.pausedUntil && html`<button onClick=${() => act(() => api(`${path}/pause`, { method: "POST", body: { until: null } }), t("acc.resumed"))}>${t("acc.resume")}</button>`}
            <a
              class="button"
              id="evidence-json"
              href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=json`}
              download
              >${t("acc.evidenceJson")}</a
            >
            <a
              class="button"
              id="evidence-csv"
              href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=csv`}
              download
              >${t("acc.evidenceCsv")}</a
            >
          </div>
          <${SendTime} id=${id} />
          ${desk && html`<${PromiseForm} id=${id} onDone=${(text) => (setNotice({ kind: "ok", text }), state.reload())} />`}
          <h3>${t("acc.aging")}</h3>
          <p>
            ${
              d.aging
                .flatMap((r) =>
                  Object.entries(r.counts)
                    .filter(([, n]) => n > 0)
                    .map(([b, n]) => `${term("aging", b)}: ${count(n)} (${money(r.amounts[b], r.currency)})`),
                )
                .join(" · ") || t("acc.nothingOpen")
            }
          </p>
          <h3>${t("acc.invoices")}</h3>
          <div class="table-wrap">
            <table class="cards">
              <thead>
                <tr>
                  <th scope="col">${t("acc.col.number")}</th>
                  <th scope="col">${t("acc.col.due")}</th>
                  <th scope="col">${t("acc.col.amount")}</th>
                  <th scope="col">${t("acc.col.dueNow")}</th>
                  <th scope="col">${t("acc.col.status")}</th>
                </tr>
              </thead>
              <tbody>
                ${d.invoices.map(
                  (i) =>
                    html`<tr key=${i.id}>
                      <td data-label=${t("acc.col.number")}>${i.number}</td>
                      <td data-label=${t("acc.col.due")}>${day(i.dueDate)}</td>
                      <td data-label=${t("acc.col.amount")}>${money(i.amount, i.currency)}</td>
                      <td data-label=${t("acc.col.dueNow")}>${money(i.amountDue, i.currency)}</td>
                      <td data-label=${t("acc.col.status")}>
                        ${term("invoice", i.status)}${i.status === "disputed" && desk ? html` <button class="link" onClick=${() => act(() => api(`/api/v1/invoices/${encodeURIComponent(i.id)}/resolve-dispute`, { method: "POST" }), t("acc.disputeResolved", { number: i.number }))}>${t("acc.resolveDispute")}</button>` : ""}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
          <h3>${t("acc.messages")}</h3>
          ${
            d.messages.length === 0
              ? html`<p class="muted">${t("acc.none")}</p>`
              : html`<ul class="timeline">
                  ${d.messages.map((m) => html`<li key=${m.id}>${when(m.createdAt)} <${StateBadge} state=${m.state} /> ${m.origin.step ? `${t("acc.step", { step: m.origin.step })}: ` : ""}<span class="sms-text">${m.text}</span></li>`)}
                </ul>`
          }
          <h3>${t("acc.replies")}</h3>
          ${
            d.replies.length === 0
              ? html`<p class="muted">${t("acc.none")}</p>`
              : html`<ul class="timeline">
                  ${d.replies.map((r) => html`<li key=${r.id}>${when(r.receivedAt)} ${r.keyword ? html`<span class="badge">${r.keyword}</span>` : ""} <span class="sms-text">${r.text}</span></li>`)}
                </ul>`
          }`}
    <//>
  </section>`;
}

function selectedFromLocation() {
  const m = /^\/accounts\/(.+)$/.exec(location.pathname);
  return m ? decodeURIComponent(m[1]) : (queryParams().id ?? null);
}

export function AccountsPage() {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const selected = selectedFromLocation();
  const list = useData(() => api("/api/v1/accounts", { query: { search: applied, limit: 100 } }), [applied]);
  const open = (e, id) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(`/accounts/${encodeURIComponent(id)}`);
  };
  return html` <h1 tabindex="-1">${t("nav.accounts")}</h1>
    ${selected && html`<${AccountDetail} id=${selected} onClose=${() => navigate("/accounts")} />`}
    <form class="filters panel" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search))}>
      <${Field} id="a-search" label=${t("acc.search")}
        ><input id="a-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)}
      /><//>
      <button type="submit">${t("acc.searchButton")}</button>
    </form>
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${t("acc.count", { n: count(d.total) })}</p>
          <div class="table-wrap">
            <table id="accounts-table" class="cards">
              <thead>
                <tr>
                  <th scope="col">${t("cal.col.account")}</th>
                  <th scope="col">${t("msg.col.name")}</th>
                  <th scope="col">${t("acc.col.openInvoices")}</th>
                  <th scope="col">${t("acc.col.due")}</th>
                  <th scope="col">${t("acc.optOut")}</th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map(
                  (a) =>
                    html`<tr key=${a.id}>
                      <td data-label=${t("cal.col.account")}>
                        <a href=${`/accounts/${encodeURIComponent(a.id)}`} onClick=${(e) => open(e, a.id)}>${a.id}</a>
                      </td>
                      <td data-label=${t("msg.col.name")}>${a.name}</td>
                      <td data-label=${t("acc.col.openInvoices")}>${count(a.balance.openInvoices)}</td>
                      <td data-label=${t("acc.col.due")}>
                        ${
                          Object.entries(a.balance.byCurrency)
                            .map(([c, v]) => money(v, c))
                            .join(" · ") || "–"
                        }
                      </td>
                      <td data-label=${t("acc.optOut")}>${a.optedOut ? t("acc.yes") : t("acc.no")}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
