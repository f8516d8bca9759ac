// Messages: filter by state, origin, step, number, account and date; the debtor's name and
// account on every line, the step in the origin, and for a waiting message why it waits and
// until when; detail with parts, references, attempts and delivery reports; cancel and retry.
import {
  html,
  useState,
  useData,
  Loading,
  api,
  can,
  when,
  StateBadge,
  Field,
  Notice,
  queryParams,
  AccountLink,
} from "../lib.js";
import { onLive } from "../live.js";
import { useEffect } from "../lib.js";
import { MESSAGE_STATES } from "/contract.js";

// "" is "any state"; the states themselves come from the server (src/core/message-states.ts).
const STATES = ["", ...MESSAGE_STATES];
const ORIGINS = [
  ["", "any"],
  ["dunning", "dunning"],
  ["keyword-reply", "keyword reply"],
  ["api", "API or staff"],
  ["test", "test"],
];

/** "dunning · overdue-7": where a message came from, with its step. */
function originText(o) {
  if (o.kind === "dunning") return `dunning · ${o.step}`;
  if (o.kind === "keyword-reply") return `reply · ${o.keyword}`;
  return o.kind === "api" ? `api · ${o.requestedBy}` : `test · ${o.requestedBy}`;
}

/** Why a queued message waits, and when it may go. */
function Wait({ wait }) {
  if (!wait) return null;
  return html`<small class="wait muted" data-code=${wait.code}
    >${wait.text}${wait.until ? `, until ${when(wait.until)}` : ""}</small
  >`;
}

function Detail({ id, onChanged, onClose }) {
  const state = useData(() => api(`/api/v1/messages/${encodeURIComponent(id)}`), [id]);
  const [notice, setNotice] = useState(null);
  const act = async (what) => {
    try {
      await api(`/api/v1/messages/${encodeURIComponent(id)}/${what}`, { method: "POST" });
      setNotice({ kind: "ok", text: what === "cancel" ? "Cancelled." : "Queued again." });
      state.reload();
      onChanged();
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  return html`<section class="panel detail" aria-labelledby="detail-h">
    <div class="row">
      <h2 id="detail-h">Message ${id}</h2>
      <button class="link" onClick=${onClose}>Close</button>
    </div>
    <${Notice} notice=${notice} />
    <${Loading} state=${state}
      >${(m) =>
        html` <dl class="facts">
            <div>
              <dt>State</dt>
              <dd><${StateBadge} state=${m.state} /> ${m.failureReason ?? ""} <${Wait} wait=${m.wait} /></dd>
            </div>
            <div>
              <dt>Channel</dt>
              <dd>${m.channel === "email" ? "E-mail" : "SMS"}</dd>
            </div>
            <div>
              <dt>Debtor</dt>
              <dd>${m.accountId ? html`<${AccountLink} id=${m.accountId}>${m.name ?? m.accountId}<//>` : "–"}</dd>
            </div>
            <div>
              <dt>To</dt>
              <dd>${m.to}</dd>
            </div>
            <div>
              <dt>Origin</dt>
              <dd>${originText(m.origin)}</dd>
            </div>
            <div>
              <dt>Created</dt>
              <dd>${when(m.createdAt)}</dd>
            </div>
            <div>
              <dt>Encoding</dt>
              <dd>${m.encoding}, ${m.partCount} part(s)</dd>
            </div>
          </dl>
          ${
            m.email &&
            html`<h3>Subject</h3>
              <p>${m.email.subject}</p>`
          }
          <h3>Text</h3>
          <p class="sms-text">${m.text}</p>
          <h3>Parts</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Reference (TP-MR)</th>
                <th scope="col">Submitted</th>
                <th scope="col">Delivery report</th>
              </tr>
            </thead>
            <tbody>
              ${m.parts.map(
                (p) =>
                  html`<tr key=${p.index}>
                    <td>${p.index}</td>
                    <td>${p.reference ?? "–"}</td>
                    <td>${when(p.submittedAt)}</td>
                    <td>
                      ${p.status ?? "–"}${p.statusText ? ` (${p.statusText})` : ""}${p.deliveredAt ? ` · ${when(p.deliveredAt)}` : ""}
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
          <h3>Attempts</h3>
          ${
            m.attempts.length === 0
              ? html`<p class="muted">None yet.</p>`
              : html`<ul>
                  ${m.attempts.map((a, i) => html`<li key=${i}>${when(a.at)}: ${a.outcome}${a.reason ? ` – ${a.reason}` : ""}</li>`)}
                </ul>`
          }
          <h3>History</h3>
          <ul>
            ${m.history.map((h, i) => html`<li key=${i}>${when(h.at)}: ${h.state}${h.reason ? ` – ${h.reason}` : ""}</li>`)}
          </ul>
          ${
            can("desk") &&
            html`<div class="actions">
              ${["queued", "sending"].includes(m.state) && html`<button class="danger" onClick=${() => act("cancel")}>Cancel message</button>`}
              ${["failed", "expired"].includes(m.state) && html`<button onClick=${() => act("retry")}>Retry</button>`}
            </div>`
          }`}
    <//>
  </section>`;
}

/** The page's filter in the REST API's names: the account's id, and the dates as from/to. */
function restQuery({ account, since, until, ...rest }) {
  return { ...rest, accountId: account, from: since, to: until, limit: 100 };
}

export function MessagesPage() {
  const initial = queryParams();
  const [filter, setFilter] = useState({
    state: initial.state ?? "",
    origin: initial.origin ?? "",
    step: initial.step ?? "",
    number: initial.number ?? "",
    account: initial.account ?? "",
    since: "",
    until: "",
  });
  const [applied, setApplied] = useState(filter);
  const [selected, setSelected] = useState(initial.id ?? null);
  const list = useData(() => api("/api/v1/messages", { query: restQuery(applied) }), [JSON.stringify(applied)]);
  useEffect(() => onLive("message.state", () => list.reload()), [list.reload]);
  const set = (k) => (e) => setFilter({ ...filter, [k]: e.target.value });
  const submit = (e) => {
    e.preventDefault();
    setApplied(filter);
  };
  return html` <h1 tabindex="-1">Messages</h1>
    <form class="filters panel" onSubmit=${submit} aria-label="Filter messages">
      <${Field} id="f-state" label="State"
        ><select id="f-state" value=${filter.state} onChange=${set("state")}>
          ${STATES.map((s) => html`<option key=${s} value=${s}>${s || "any"}</option>`)}
        </select><//
      >
      <${Field} id="f-origin" label="Origin"
        ><select id="f-origin" value=${filter.origin} onChange=${set("origin")}>
          ${ORIGINS.map(([v, t]) => html`<option key=${v} value=${v}>${t}</option>`)}
        </select><//
      >
      <${Field} id="f-step" label="Step"
        ><input id="f-step" placeholder="overdue-7" value=${filter.step} onInput=${set("step")}
      /><//>
      <${Field} id="f-number" label="Number"
        ><input id="f-number" type="tel" value=${filter.number} onInput=${set("number")}
      /><//>
      <${Field} id="f-account" label="Account"
        ><input id="f-account" value=${filter.account} onInput=${set("account")}
      /><//>
      <${Field} id="f-since" label="From date"
        ><input id="f-since" type="date" value=${filter.since} onInput=${set("since")}
      /><//>
      <${Field} id="f-until" label="To date"
        ><input id="f-until" type="date" value=${filter.until} onInput=${set("until")}
      /><//>
      <button type="submit">Filter</button>
    </form>
    ${selected && html`<${Detail} id=${selected} onChanged=${list.reload} onClose=${() => setSelected(null)} />`}
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${d.total} message(s)</p>
          <div class="table-wrap">
            <table id="messages-table" class="cards">
              <thead>
                <tr>
                  <th scope="col">Created</th>
                  <th scope="col">Channel</th>
                  <th scope="col">Name</th>
                  <th scope="col">Account</th>
                  <th scope="col">To</th>
                  <th scope="col">State</th>
                  <th scope="col">Origin</th>
                  <th scope="col">Text</th>
                  <th scope="col"><span class="sr-only">Details</span></th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map(
                  (m) =>
                    html`<tr key=${m.id}>
                      <td data-label="Created">${when(m.createdAt)}</td>
                      <td data-label="Channel">${m.channel === "email" ? "E-mail" : "SMS"}</td>
                      <td data-label="Name">${m.name ?? "–"}</td>
                      <td data-label="Account">${m.accountId ? html`<${AccountLink} id=${m.accountId} />` : "–"}</td>
                      <td data-label="To">${m.to}</td>
                      <td data-label="State"><${StateBadge} state=${m.state} /> <${Wait} wait=${m.wait} /></td>
                      <td data-label="Origin">${originText(m.origin)}</td>
                      <td data-label="Text" class="clip">${m.email ? `${m.email.subject} — ${m.text}` : m.text}</td>
                      <td>
                        <button
                          class="link"
                          onClick=${() => setSelected(m.id)}
                          aria-label=${`Details of message to ${m.to}`}
                        >
                          Details
                        </button>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
