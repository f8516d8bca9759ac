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
  count,
} from "../lib.js";
import { t, term } from "../i18n/index.js";
import { onLive } from "../live.js";
import { useEffect } from "../lib.js";
import { MESSAGE_STATES } from "/contract.js";

// "" is "any state"; the states themselves come from the server (src/core/message-states.ts).
const STATES = ["", ...MESSAGE_STATES];
const ORIGINS = ["", "dunning", "keyword-reply", "api", "test"];

/** "dunning · overdue-7": where a message came from, with its step. */
function originText(o) {
  if (o.kind === "dunning") return `${t("msg.origin.dunning")} · ${o.step}`;
  if (o.kind === "keyword-reply") return `${t("msg.origin.reply")} · ${o.keyword}`;
  return `${term("msg.origin", o.kind)} · ${o.requestedBy}`;
}

/** Why a queued message waits, and when it may go. */
function Wait({ wait }) {
  if (!wait) return null;
  return html`<small class="wait muted" data-code=${wait.code}
    >${waitText(wait)}${wait.until ? `, ${t("msg.until", { at: when(wait.until) })}` : ""}</small
  >`;
}

/** The server's reason in the user's language where the panel has its words; the limits' own texts carry figures and stay as sent. */
function waitText(wait) {
  if (wait.code === "retry-backoff") return t("msg.wait.retry-backoff");
  return ["sim-limit", "recipient-limit", "minute-limit"].includes(wait.code) ? wait.text : term("msg.wait", wait.code);
}

function Detail({ id, onChanged, onClose }) {
  const state = useData(() => api(`/api/v1/messages/${encodeURIComponent(id)}`), [id]);
  const [notice, setNotice] = useState(null);
  const act = async (what) => {
    try {
      await api(`/api/v1/messages/${encodeURIComponent(id)}/${what}`, { method: "POST" });
      setNotice({ kind: "ok", text: what === "cancel" ? t("msg.cancelled") : t("msg.requeued") });
      state.reload();
      onChanged();
    } catch (e) {
      setNotice({ kind: "error", text: e.message });
    }
  };
  return html`<section class="panel detail" aria-labelledby="detail-h">
    <div class="row">
      <h2 id="detail-h">${t("msg.detail", { id })}</h2>
      <button class="link" onClick=${onClose}>${t("acc.close")}</button>
    </div>
    <${Notice} notice=${notice} />
    <${Loading} state=${state}
      >${(m) =>
        html` <dl class="facts">
            <div>
              <dt>${t("msg.col.state")}</dt>
              <dd><${StateBadge} state=${m.state} /> ${m.failureReason ?? ""} <${Wait} wait=${m.wait} /></dd>
            </div>
            <div>
              <dt>${t("msg.col.channel")}</dt>
              <dd>${m.channel === "email" ? t("msg.email") : "SMS"}</dd>
            </div>
            <div>
              <dt>${t("msg.debtor")}</dt>
              <dd>${m.accountId ? html`<${AccountLink} id=${m.accountId}>${m.name ?? m.accountId}<//>` : "–"}</dd>
            </div>
            <div>
              <dt>${t("msg.col.to")}</dt>
              <dd>${m.to}</dd>
            </div>
            <div>
              <dt>${t("msg.col.origin")}</dt>
              <dd>${originText(m.origin)}</dd>
            </div>
            <div>
              <dt>${t("msg.col.created")}</dt>
              <dd>${when(m.createdAt)}</dd>
            </div>
            <div>
              <dt>${t("msg.encoding")}</dt>
              <dd>${t("msg.encodingParts", { encoding: m.encoding, parts: count(m.partCount) })}</dd>
            </div>
          </dl>
          ${
            m.email &&
            html`<h3>${t("msg.subject")}</h3>
              <p>${m.email.subject}</p>`
          }
          <h3>${t("msg.col.text")}</h3>
          <p class="sms-text">${m.text}</p>
          <h3>${t("msg.parts")}</h3>
          <table>
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">${t("msg.reference")}</th>
                <th scope="col">${t("msg.submitted")}</th>
                <th scope="col">${t("msg.report")}</th>
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
          <h3>${t("msg.attempts")}</h3>
          ${
            m.attempts.length === 0
              ? html`<p class="muted">${t("msg.noneYet")}</p>`
              : html`<ul>
                  ${m.attempts.map((a, i) => html`<li key=${i}>${when(a.at)}: ${term("msg.outcome", a.outcome)}${a.reason ? ` – ${a.reason}` : ""}</li>`)}
                </ul>`
          }
          <h3>${t("msg.history")}</h3>
          <ul>
            ${m.history.map((h, i) => html`<li key=${i}>${when(h.at)}: ${term("state", h.state)}${h.reason ? ` – ${h.reason}` : ""}</li>`)}
          </ul>
          ${
            can("desk") &&
            html`<div class="actions">
              ${["queued", "sending"].includes(m.state) && html`<button class="danger" onClick=${() => act("cancel")}>${t("msg.cancel")}</button>`}
              ${["failed", "expired"].includes(m.state) && html`<button onClick=${() => act("retry")}>${t("msg.retry")}</button>`}
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
  return html` <h1 tabindex="-1">${t("nav.messages")}</h1>
    <form class="filters panel" onSubmit=${submit} aria-label=${t("msg.filterLabel")}>
      <${Field} id="f-state" label=${t("msg.col.state")}
        ><select id="f-state" value=${filter.state} onChange=${set("state")}>
          ${STATES.map((s) => html`<option key=${s} value=${s}>${s ? term("state", s) : t("msg.any")}</option>`)}
        </select><//
      >
      <${Field} id="f-origin" label=${t("msg.col.origin")}
        ><select id="f-origin" value=${filter.origin} onChange=${set("origin")}>
          ${ORIGINS.map((v) => html`<option key=${v} value=${v}>${v ? t(`msg.originFilter.${v}`) : t("msg.any")}</option>`)}
        </select><//
      >
      <${Field} id="f-step" label=${t("cal.col.step")}
        ><input id="f-step" placeholder="overdue-7" value=${filter.step} onInput=${set("step")}
      /><//>
      <${Field} id="f-number" label=${t("opt.number")}
        ><input id="f-number" type="tel" value=${filter.number} onInput=${set("number")}
      /><//>
      <${Field} id="f-account" label=${t("cal.col.account")}
        ><input id="f-account" value=${filter.account} onInput=${set("account")}
      /><//>
      <${Field} id="f-since" label=${t("msg.since")}
        ><input id="f-since" type="date" value=${filter.since} onInput=${set("since")}
      /><//>
      <${Field} id="f-until" label=${t("msg.untilDate")}
        ><input id="f-until" type="date" value=${filter.until} onInput=${set("until")}
      /><//>
      <button type="submit">${t("logs.filter")}</button>
    </form>
    ${selected && html`<${Detail} id=${selected} onChanged=${list.reload} onClose=${() => setSelected(null)} />`}
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${t("inbox.count", { n: count(d.total) })}</p>
          <div class="table-wrap">
            <table id="messages-table" class="cards">
              <thead>
                <tr>
                  <th scope="col">${t("msg.col.created")}</th>
                  <th scope="col">${t("msg.col.channel")}</th>
                  <th scope="col">${t("msg.col.name")}</th>
                  <th scope="col">${t("cal.col.account")}</th>
                  <th scope="col">${t("msg.col.to")}</th>
                  <th scope="col">${t("msg.col.state")}</th>
                  <th scope="col">${t("msg.col.origin")}</th>
                  <th scope="col">${t("msg.col.text")}</th>
                  <th scope="col"><span class="sr-only">${t("msg.details")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map(
                  (m) =>
                    html`<tr key=${m.id}>
                      <td data-label=${t("msg.col.created")}>${when(m.createdAt)}</td>
                      <td data-label=${t("msg.col.channel")}>${m.channel === "email" ? t("msg.email") : "SMS"}</td>
                      <td data-label=${t("msg.col.name")}>${m.name ?? "–"}</td>
                      <td data-label=${t("cal.col.account")}>
                        ${m.accountId ? html`<${AccountLink} id=${m.accountId} />` : "–"}
                      </td>
                      <td data-label=${t("msg.col.to")}>${m.to}</td>
                      <td data-label=${t("msg.col.state")}>
                        <${StateBadge} state=${m.state} /> <${Wait} wait=${m.wait} />
                      </td>
                      <td data-label=${t("msg.col.origin")}>${originText(m.origin)}</td>
                      <td data-label=${t("msg.col.text")} class="clip">
                        ${m.email ? `${m.email.subject} — ${m.text}` : m.text}
                      </td>
                      <td>
                        <button
                          class="link"
                          onClick=${() => setSelected(m.id)}
                          aria-label=${t("msg.detailsOf", { to: m.to })}
                        >
                          ${t("msg.details")}
                        </button>
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
