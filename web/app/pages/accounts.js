// Accounts and invoices: search, balance, aging, opt-out, every reminder and reply of an
// account, and the evidence export (everything sent to and received from it, as JSON or CSV).
import { html, useState, useData, Loading, api, can, when, money, StateBadge, Field, Notice, queryParams } from "../lib.js";

function AccountDetail({ id, onClose }) {
  const state = useData(() => api(`/api/v1/panel/accounts/${encodeURIComponent(id)}`), [id]);
  const [notice, setNotice] = useState(null);
  const toggleOptOut = async (optedOut) => {
    try {
      await api(`/api/v1/panel/accounts/${encodeURIComponent(id)}/optout`, { method: "POST", body: { optedOut } });
      setNotice({ kind: "ok", text: optedOut ? "Opted out: no more reminders." : "Opted in again." });
      state.reload();
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  return html`<section class="panel detail" aria-labelledby="acc-h">
    <${Loading} state=${state}>${(d) => html`
      <div class="row"><h2 id="acc-h">${d.account.name} <small class="muted">${d.account.id}</small></h2><button class="link" onClick=${onClose}>Close</button></div>
      <${Notice} notice=${notice} />
      <dl class="facts">
        <div><dt>Phones</dt><dd>${d.account.phones.join(", ")}</dd></div>
        <div><dt>Locale</dt><dd>${d.account.locale}</dd></div>
        <div><dt>Segment</dt><dd>${d.account.segment ?? "–"}</dd></div>
        <div><dt>Opt-out</dt><dd>${d.account.optedOut ? html`<span class="badge state-failed">opted out</span> ${d.account.optOutSource ?? ""}` : "no"}</dd></div>
        <div><dt>Paused until</dt><dd>${d.account.pausedUntil ?? "–"}</dd></div>
      </dl>
      <div class="actions">
        ${can("desk") && html`<button onClick=${() => toggleOptOut(!d.account.optedOut)}>${d.account.optedOut ? "Opt in again" : "Opt out"}</button>`}
        <a class="button" id="evidence-json" href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=json`} download>Export evidence (JSON)</a>
        <a class="button" id="evidence-csv" href=${`/api/v1/accounts/${encodeURIComponent(id)}/evidence?format=csv`} download>Export evidence (CSV)</a>
      </div>
      <h3>Aging</h3>
      <p>${d.aging.flatMap((r) => Object.entries(r.counts).filter(([, n]) => n > 0).map(([b, n]) => `${b}: ${n} (${money(r.amounts[b], r.currency)})`)).join(" · ") || "Nothing open."}</p>
      <h3>Invoices</h3>
      <div class="table-wrap"><table><thead><tr><th scope="col">Number</th><th scope="col">Due</th><th scope="col">Amount</th><th scope="col">Due now</th><th scope="col">Status</th></tr></thead>
        <tbody>${d.invoices.map((i) => html`<tr key=${i.id}><td>${i.number}</td><td>${i.dueDate}</td><td>${money(i.amount, i.currency)}</td><td>${money(i.amountDue, i.currency)}</td><td>${i.status}</td></tr>`)}</tbody></table></div>
      <h3>Reminders and messages</h3>
      ${d.messages.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="timeline">${d.messages.map((m) => html`<li key=${m.id}>${when(m.createdAt)} <${StateBadge} state=${m.state} /> ${m.origin.step ? `step ${m.origin.step}: ` : ""}<span class="sms-text">${m.text}</span></li>`)}</ul>`}
      <h3>Replies</h3>
      ${d.replies.length === 0 ? html`<p class="muted">None.</p>` : html`<ul class="timeline">${d.replies.map((r) => html`<li key=${r.id}>${when(r.receivedAt)} ${r.keyword ? html`<span class="badge">${r.keyword}</span>` : ""} <span class="sms-text">${r.text}</span></li>`)}</ul>`}`}
    <//>
  </section>`;
}

export function AccountsPage() {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [selected, setSelected] = useState(queryParams().id ?? null);
  const list = useData(() => api("/api/v1/panel/accounts", { query: { search: applied, limit: 100 } }), [applied]);
  return html`
    <h1 tabindex="-1">Accounts</h1>
    <form class="filters panel" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search))}>
      <${Field} id="a-search" label="Search name, id or number"><input id="a-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)} /><//>
      <button type="submit">Search</button>
    </form>
    ${selected && html`<${AccountDetail} id=${selected} onClose=${() => setSelected(null)} />`}
    <${Loading} state=${list}>${(d) => html`
      <p class="muted">${d.total} account(s)</p>
      <div class="table-wrap"><table id="accounts-table"><thead><tr><th scope="col">Account</th><th scope="col">Name</th><th scope="col">Open invoices</th><th scope="col">Due</th><th scope="col">Opt-out</th></tr></thead>
        <tbody>${d.items.map((a) => html`<tr key=${a.id}><td><button class="link" onClick=${() => setSelected(a.id)}>${a.id}</button></td><td>${a.name}</td><td>${a.openInvoices}</td>
          <td>${Object.entries(a.due).map(([c, v]) => money(v, c)).join(" · ") || "–"}</td><td>${a.optedOut ? "yes" : "no"}</td></tr>`)}</tbody></table></div>`}
    <//>`;
}
