// Accounts and invoices: search, balance, aging, opt-out, every reminder and reply of an
// account, and the evidence export (everything sent to and received from it, as JSON or CSV).
// One account has its own address, /accounts/<id>, so that Back and a shared link work.
// A clerk records a promise, resumes reminders, resolves a dispute and clears a mark here.
import { html, useState, useData, Loading, api, can, when, money, StateBadge, Field, Notice, queryParams, navigate } from "../lib.js";

const MARK_LABEL = { disconnect: "Marked for disconnection", handoff: "Marked for hand-off" };

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
      onDone(`Promise recorded: reminders pause until ${date}.`);
      setDate("");
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="filters" onSubmit=${save} aria-label="Record a promise to pay" id="promise-form">
    <${Field} id="p-date" label="Promised to pay by" error=${error} hint="Reminders pause until then; the Today page shows it on the day, and if it is not kept.">
      <input id="p-date" type="date" required min=${todayIso()} value=${date} onInput=${(e) => setDate(e.target.value)} aria-invalid=${error ? "true" : undefined} />
    <//>
    <button type="submit">Record promise</button>
  </form>`;
}

function AccountDetail({ id, onClose }) {
  const state = useData(() => api(`/api/v1/panel/accounts/${encodeURIComponent(id)}`), [id]);
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
    return act(() => api(`/api/v1/panel/accounts/${encodeURIComponent(id)}/optout`, { method: "POST", body: { optedOut } }), optedOut ? "Opted out: no more reminders." : "Opted in again.");
  };
  const desk = can("desk");
  return html`<section class="panel detail" aria-labelledby="acc-h">
    <${Loading} state=${state}>${(d) => html`
      <div class="row"><h2 id="acc-h">${d.account.name} <small class="muted">${d.account.id}</small></h2><button class="link" onClick=${onClose}>Close</button></div>
      <${Notice} notice=${notice} />
      ${(d.marks ?? []).map((m) => html`<p class="notice mark" key=${m.mark} id=${`mark-${m.mark}`}>
        <strong>${MARK_LABEL[m.mark] ?? m.mark}</strong> after step ${m.step} on ${when(m.at)}.
        ${desk && html` <button class="link" onClick=${() => act(() => api(`${path}/marks/${m.mark}`, { method: "DELETE" }), "Mark cleared.")}>Clear mark</button>`}</p>`)}
      <dl class="facts">
        <div><dt>Phones</dt><dd>${d.account.phones.join(", ")}</dd></div>
        <div><dt>Locale</dt><dd>${d.account.locale}</dd></div>
        <div><dt>Segment</dt><dd>${d.account.segment ?? "–"}</dd></div>
        <div><dt>Opt-out</dt><dd>${d.account.optedOut ? html`<span class="badge state-failed">opted out</span> ${d.account.optOutSource ?? ""}` : "no"}</dd></div>
        <div><dt>Paused until</dt><dd id="paused-until">${d.account.pausedUntil ?? "–"}${d.account.pauseReason ? html`<small class="muted"> ${d.account.pauseReason}</small>` : ""}</dd></div>
      </dl>
      <div class="actions">
        ${desk && !confirmOptOut && html`<button onClick=${() => (d.account.optedOut ? setOptOut(false) : setConfirmOptOut(true))}>${d.account.optedOut ? "Opt in again" : "Opt out"}</button>`}
        ${desk && confirmOptOut && html`<span role="alert" class="confirm">Opt ${d.account.name} out? No reminder will be sent to this account until someone opts it in again.
          <button class="danger" onClick=${() => setOptOut(true)}>Yes, opt out</button> <button class="link" onClick=${() => setConfirmOptOut(false)}>Keep reminders</button></span>`}
        ${desk && d.account.pausedUntil && html`<button onClick=${() => act(() => api(`${path}/pause`, { method: "POST", body: { until: null } }), "Reminders resume.")}>Resume reminders</button>`}
        <a class="button" id="evidence-json" href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=json`} download>Export evidence (JSON)</a>
        <a class="button" id="evidence-csv" href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=csv`} download>Export evidence (CSV)</a>
      </div>
      ${desk && html`<${PromiseForm} id=${id} onDone=${(text) => (setNotice({ kind: "ok", text }), state.reload())} />`}
      <h3>Aging</h3>
      <p>${d.aging.flatMap((r) => Object.entries(r.counts).filter(([, n]) => n > 0).map(([b, n]) => `${b}: ${n} (${money(r.amounts[b], r.currency)})`)).join(" · ") || "Nothing open."}</p>
      <h3>Invoices</h3>
      <div class="table-wrap"><table class="cards"><thead><tr><th scope="col">Number</th><th scope="col">Due</th><th scope="col">Amount</th><th scope="col">Due now</th><th scope="col">Status</th></tr></thead>
        <tbody>${d.invoices.map((i) => html`<tr key=${i.id}><td data-label="Number">${i.number}</td><td data-label="Due">${i.dueDate}</td><td data-label="Amount">${money(i.amount, i.currency)}</td><td data-label="Due now">${money(i.amountDue, i.currency)}</td>
          <td data-label="Status">${i.status}${i.status === "disputed" && desk ? html` <button class="link" onClick=${() => act(() => api(`/api/v1/invoices/${encodeURIComponent(i.id)}/resolve-dispute`, { method: "POST" }), `Dispute on ${i.number} resolved: reminders resume.`)}>Resolve dispute</button>` : ""}</td></tr>`)}</tbody></table></div>
      <h3>Reminders and messages</h3>
      ${d.messages.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="timeline">${d.messages.map((m) => html`<li key=${m.id}>${when(m.createdAt)} <${StateBadge} state=${m.state} /> ${m.origin.step ? `step ${m.origin.step}: ` : ""}<span class="sms-text">${m.text}</span></li>`)}</ul>`}
      <h3>Replies</h3>
      ${d.replies.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="timeline">${d.replies.map((r) => html`<li key=${r.id}>${when(r.receivedAt)} ${r.keyword ? html`<span class="badge">${r.keyword}</span>` : ""} <span class="sms-text">${r.text}</span></li>`)}</ul>`}`}
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
  const list = useData(() => api("/api/v1/panel/accounts", { query: { search: applied, limit: 100 } }), [applied]);
  const open = (e, id) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(`/accounts/${encodeURIComponent(id)}`);
  };
  return html`
    <h1 tabindex="-1">Accounts</h1>
    ${selected && html`<${AccountDetail} id=${selected} onClose=${() => navigate("/accounts")} />`}
    <form class="filters panel" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search))}>
      <${Field} id="a-search" label="Search name, id or number"><input id="a-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} /><//>
      <button type="submit">Search</button>
    </form>
    <${Loading} state=${list}>${(d) => html`
      <p class="muted">${d.total} account(s)</p>
      <div class="table-wrap"><table id="accounts-table" class="cards"><thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Open invoices</th><th scope="col">Due</th><th scope="col">Opt-out</th></tr></thead>
        <tbody>${d.items.map((a) => html`<tr key=${a.id}><td data-label="Account"><a href=${`/accounts/${encodeURIComponent(a.id)}`} onClick=${(e) => open(e, a.id)}>${a.id}</a></td><td data-label="Name">${a.name}</td><td data-label="Open invoices">${a.openInvoices}</td>
          <td data-label="Due">${Object.entries(a.due).map(([c, v]) => money(v, c)).join(" · ") || "–"}</td><td data-label="Opt-out">${a.optedOut ? "yes" : "no"}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}
