// The suppression list: numbers that opted out (STOP, staff, the accounting server), with who,
// when and why. Nothing is sent to them, whatever asks, except the confirmation of their STOP.
// Staff with write access add a number (a letter, a phone call) or remove one after a confirm.
import { html, useState, useData, Loading, api, can, when, Field, Notice, count } from "../lib.js";
import { t } from "../i18n/index.js";

function sourceText(s) {
  if (!s) return "–";
  if (s.kind === "sms") return t("opt.source.sms", { keyword: s.keyword.toUpperCase(), id: s.inboundId });
  if (s.kind === "panel") return t("opt.source.panel", { user: s.user });
  if (s.kind === "api") return t("opt.source.api", { via: s.via, by: s.by });
  return t("opt.source.import", { by: s.by });
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
    <${Field} id="o-number" label=${t("opt.number")} hint=${t("common.numberHint")} error=${error}>
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
    <${Field} id="o-reason" label=${t("opt.reason")}>
      <input id="o-reason" type="text" maxlength="200" value=${reason} onInput=${(e) => setReason(e.target.value)} />
    <//>
    <button type="submit">${t("opt.add")}</button>
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
          ? html`<button class="danger confirm-remove" onClick=${remove}>
                ${t("opt.confirmRemove", { number: r.number })}
              </button>
              <button class="link" onClick=${() => setConfirming(false)}>${t("opt.keep")}</button>`
          : html`<button class="remove" onClick=${() => setConfirming(true)}>${t("opt.remove")}</button>`)
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
        ? r.accountIds.length
          ? t("opt.addedAccounts", { number: r.record.number, n: count(r.accountIds.length) })
          : t("opt.added", { number: r.record.number })
        : t("opt.already", { number: r.record.number }),
    });
    list.reload();
  };
  const removed = (number, error) => {
    setNotice(error ? { kind: "error", text: error } : { kind: "ok", text: t("opt.removed", { number }) });
    list.reload();
  };
  return html` <h1 tabindex="-1">${t("nav.optOuts")}</h1>
    <p class="muted">${t("opt.intro")}</p>
    <${Notice} notice=${notice} />
    ${can("desk") && html`<${AddForm} onAdded=${added} />`}
    <form class="filters panel" role="search" onSubmit=${(e) => (e.preventDefault(), setApplied(search))}>
      <${Field} id="o-search" label=${t("opt.search")}
        ><input id="o-search" type="search" value=${search} onInput=${(e) => setSearch(e.target.value)}
      /><//>
      <button type="submit">${t("acc.searchButton")}</button>
    </form>
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${t("opt.count", { n: count(d.total) })}</p>
          <div class="table-wrap">
            <table id="optouts-table">
              <thead>
                <tr>
                  <th scope="col">${t("opt.number")}</th>
                  <th scope="col">${t("opt.col.since")}</th>
                  <th scope="col">${t("opt.col.by")}</th>
                  <th scope="col">${t("opt.col.reason")}</th>
                  <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map((r) => html`<${Row} key=${r.number} r=${r} onRemoved=${removed} />`)}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
