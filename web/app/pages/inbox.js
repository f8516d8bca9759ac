// Inbox: inbound SMS with the keyword action taken, the debtor's name and account, and
// whether a person has handled it (by whom, when). Answering a message from here, or marking
// it done, takes it off "needs a person".
import {
  html,
  useState,
  useEffect,
  useRef,
  useData,
  Loading,
  api,
  can,
  when,
  Field,
  Notice,
  AccountLink,
  count,
} from "../lib.js";
import { onLive } from "../live.js";
import { t } from "../i18n/index.js";

function ReplyForm({ to, inboundId, name, focusKey, onSent }) {
  const [number, setNumber] = useState(to ?? "");
  const [text, setText] = useState("");
  const [notice, setNotice] = useState(null);
  const textRef = useRef(null);
  useEffect(() => setNumber(to ?? ""), [to]);
  // "Reply" on a message puts the cursor where the answer goes.
  useEffect(() => {
    if (focusKey) {
      textRef.current?.focus();
      textRef.current?.scrollIntoView({ block: "center" });
    }
  }, [focusKey]);
  const send = async (e) => {
    e.preventDefault();
    try {
      const r = await api("/api/v1/replies", {
        method: "POST",
        body: { to: number, text, ...(inboundId ? { inboundId } : {}) },
      });
      setNotice({
        kind: r.status === "queued" ? "ok" : "error",
        text: r.status === "queued" ? t("inbox.queued") : t("inbox.notSent", { reason: r.reason ?? r.status }),
      });
      if (r.status === "queued") setText("");
      onSent();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<form class="panel" onSubmit=${send} aria-labelledby="reply-h">
    <h2 id="reply-h">${name ? t("inbox.replyTo", { name }) : t("inbox.reply")}</h2>
    <${Field} id="r-to" label=${t("inbox.to")}
      ><input id="r-to" type="tel" required value=${number} onInput=${(e) => setNumber(e.target.value)}
    /><//>
    <${Field} id="r-text" label=${t("inbox.text")}>
      <textarea
        id="r-text"
        ref=${textRef}
        required
        rows="3"
        maxlength="1600"
        value=${text}
        onInput=${(e) => setText(e.target.value)}
      ></textarea>
    <//>
    <${Notice} notice=${notice} />
    <button type="submit">${t("inbox.send")}</button>
  </form>`;
}

function HandledCell({ m, onChange }) {
  const [error, setError] = useState(null);
  const call = async (method) => {
    try {
      await api(`/api/v1/inbound/${encodeURIComponent(m.id)}/handled`, { method });
      onChange();
    } catch (e) {
      setError(e.message);
    }
  };
  if (m.handled)
    return html`<span class="badge state-delivered">${t("inbox.handled")}</span>
      <small class="muted"
        >${t(m.handled.how === "replied" ? "inbox.repliedBy" : "inbox.doneBy", { by: m.handled.by, at: when(m.handled.at) })}</small
      >
      ${can("desk") && html` <button class="link" onClick=${() => call("DELETE")} aria-label=${t("inbox.reopenLabel", { who: m.name ?? m.from })}>${t("inbox.reopen")}</button>`}`;
  if (!m.needsPerson) return html`<span class="muted">${t("inbox.automatic")}</span>`;
  return html`<span class="badge state-queued">${t("inbox.needsPerson")}</span>
    ${can("desk") && html` <button class="link" onClick=${() => call("POST")} aria-label=${t("inbox.doneLabel", { who: m.name ?? m.from })}>${t("inbox.done")}</button>`}
    ${error && html`<small class="error" role="alert">${error}</small>`}`;
}

export function InboxPage() {
  const [needsStaff, setNeedsStaff] = useState(false);
  const [replyTo, setReplyTo] = useState(null);
  const list = useData(
    () => api("/api/v1/inbound", { query: { limit: 100, needsStaff: needsStaff || undefined } }),
    [needsStaff],
  );
  useEffect(() => onLive("inbound.received", () => list.reload()), [list.reload]);
  // With several modems, each message says which SIM it came in on (replies leave through it).
  const pool = useData(() => api("/api/v1/modems").catch(() => ({ total: 1 })));
  const pooled = (pool.data?.total ?? 1) > 1;
  return html` <h1 tabindex="-1">${t("nav.inbox")}</h1>
    <label class="check"
      ><input
        type="checkbox"
        id="needs-person"
        checked=${needsStaff}
        onChange=${(e) => setNeedsStaff(e.target.checked)}
      />
      ${t("inbox.onlyNeeds")}</label
    >
    ${can("desk") && html`<${ReplyForm} to=${replyTo?.from} inboundId=${replyTo?.id} name=${replyTo?.name} focusKey=${replyTo?.key} onSent=${list.reload} />`}
    <${Loading} state=${list}
      >${(d) =>
        html` <p class="muted">${t("inbox.count", { n: count(d.total) })}</p>
          ${d.items.length === 0 && needsStaff ? html`<p class="muted" id="inbox-empty">${t("inbox.empty")}</p>` : ""}
          <div class="table-wrap">
            <table id="inbox-table" class="cards">
              <thead>
                <tr>
                  <th scope="col">${t("inbox.col.received")}</th>
                  <th scope="col">${t("inbox.col.from")}</th>
                  ${pooled ? html`<th scope="col">${t("inbox.col.modem")}</th>` : ""}
                  <th scope="col">${t("inbox.text")}</th>
                  <th scope="col">${t("inbox.col.keyword")}</th>
                  <th scope="col">${t("inbox.col.action")}</th>
                  <th scope="col">${t("inbox.col.handled")}</th>
                  <th scope="col"><span class="sr-only">${t("inbox.reply")}</span></th>
                </tr>
              </thead>
              <tbody>
                ${d.items.map(
                  (m) =>
                    html`<tr key=${m.id} data-inbound=${m.id}>
                      <td data-label=${t("inbox.col.received")}>${when(m.receivedAt)}</td>
                      <td data-label=${t("inbox.col.from")}>
                        ${m.accountId ? html`<${AccountLink} id=${m.accountId}>${m.name ?? m.accountId}<//><br /><small class="muted">${m.from}</small>` : m.from}
                      </td>
                      ${pooled ? html`<td data-label=${t("inbox.col.modem")} class="inbox-modem">${m.modemId ?? "–"}</td>` : ""}
                      <td data-label=${t("inbox.text")} class="sms-text">
                        ${m.text}${m.incomplete ? html` <span class="badge">${t("inbox.incomplete")}</span>` : ""}
                      </td>
                      <td data-label=${t("inbox.col.keyword")}>${m.keyword ?? "–"}</td>
                      <td data-label=${t("inbox.col.action")}>
                        ${m.action?.summary ?? "–"}${m.action?.possibleOptOut ? html` <span class="badge state-failed">${t("inbox.possibleOptOut")}</span>` : ""}${m.action?.unverified ? html` <span class="badge state-failed">${t("inbox.unverified")}</span>` : ""}
                      </td>
                      <td data-label=${t("inbox.col.handled")}><${HandledCell} m=${m} onChange=${list.reload} /></td>
                      <td>
                        ${can("desk") && html`<button class="link" onClick=${() => setReplyTo({ ...m, key: Date.now() })} aria-label=${t("inbox.replyTo", { name: m.name ?? m.from })}>${t("inbox.reply")}</button>`}
                      </td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`}
    <//>`;
}
