// The suppression list: numbers that opted out (STOP, staff, the accounting server), with who,
// when and why. Nothing is sent to them, whatever asks, except the confirmation of their STOP.
// Staff with write access add a number (a letter, a phone call) or remove one after a confirm.
import { html, useState, useData, Loading, api, can, when, Field, Notice } from "../lib.js";

function sourceText(s) {
  if (!s) return "–";
  if (s.kind === "sms") return `${s.keyword.toUpperCase()} by SMS ${s.inboundId}`;
  if (s.kind === "panel") return `panel: ${s.user}`;
  if (s.kind === "api") return `API (${s.via}): ${s.by}`;
  return `import: ${s.by}`;
}

function AddForm({ onAdded }) {
  const [number, setNumber] = useState("");
  const [reason, setReason] = useState("");
  const [error, setError] = useState(null);
  const submit = async (e) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await api("/api/v1/suppressions", {
        method: "POST",
        body: { number, ...(reason.trim() ? { reason } : {}) },
      });
      setNumber("");
      setReason("");
      onAdded(r);
    } catch (err) {
      setError(err.message);
    }
  };
  return html`<form class="panel filters" id="suppress-form" onSubmit=${submit}>
    <${Field} id="o-number" label="Number" hint="Any common form; the default region applies." error=${error}>
      <input
        id="o-number"
        type="tel"
        required
        autocomplete="off"
        value=${number}
        onInput=${(e) => setNumber(e.target.value)}
        aria-invalid=${Boolean(error)}
      />
    <//>
    <${Field} id="o-reason" label="Reason (kept with the record)">
      <input id="o-reason" type="text" maxlength="200" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <//>
    <button type="submit">Add to the list</button>
  </form>`;
}

function Row({ r, onRemoved }) {
  const [confirming, setConfirming] = useState(false);
  const remove = async () => {
    try {
      await api(`/api/v1/suppressions/${encodeURIComponent(r.number)}`, { method: "DELETE" });
      onRemoved(r.number, null);
    } catch (err) {
      onRemoved(r.number, err.message);
    }
  };
  return html`<tr data-number=${r.number}>
    <td>${r.number}</td>
    <td>${when(r.since)}</td>
    <td>${sourceText(r.source)}</td>
    <td>${r.reason ?? ""}</td>
    <td>
      ${
        can("desk") &&
        (confirming
          ? html`<button class="danger confirm-remove" onClick=${remove}>Yes, texts to ${r.number} may resume</button>
              <button class="link" onClick=${() => setConfirming(false)}>Keep</button>`
          : html`<button class="remove" onClick=${() => setConfirming(true)}>Remove…</button>`)
      }
    </td>
  </tr>`;
}

export function OptOutsPage() {
  const [search, setSearch] = useState("");
  const [applied, setApplied] = useState("");
  const [notice, setNotice] = useState(null);
  const list = useData(() => api("/api/v1/suppressions", { query: { search: applied, limit: 200 } }), [applied]);
  const added = (r) => {
    setNotice({
      kind: "ok",
      text: r.changed
        ? `${r.record.number} suppressed${r.accountIds.length ? `; ${r.accountIds.length} account(s) opted out` : ""}.`
        : `${r.record.number} was already suppressed.`,
    });
    list.reload();
  };
  const removed = (number, error) => {
    setNotice(
      error
        ? { kind: "error", text: error }
        : { kind: "ok", text: `${number} removed: it may be texted again (its accounts' own opt-out is unchanged).` },
    );
    list.reload();
  };
  return html` <h1 tabindex="-1">Opt-outs</h1>
    <p class="muted">
      Numbers on this list get no SMS of any kind (reminders, API and test sends, replies), except the confirmation of
      their own STOP. START from the number, or a removal here, lifts it.
    </p>
    <${Notice} notice=${notice} />
    ${can("desk") && html`<${AddForm} onAdded=${added} />`}
    <form class="filters panel" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search))}>
      <${Field} id="o-search" label="Search digits"
        ><input id="o-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)}
      /><//>
      <button type="submit">Search</button>
    </form>
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${d.total} number(s) suppressed</p>
          <div class="table-wrap">
            <table id="optouts-table">
              <thead>
                <tr>
                  <th scope="col">Number</th>
                  <th scope="col">Since</th>
                  <th scope="col">By</th>
                  <th scope="col">Reason</th>
                  <th scope="col"><span class="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map((r) => html`<${Row} key=${r.number} r=${r} onRemoved=${removed} />`)}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
