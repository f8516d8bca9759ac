// Inbox: inbound SMS with the keyword action taken, the debtor's name and account, and
// whether a person has handled it (by whom, when). Answering a message from here, or marking
// it done, takes it off "needs a person".
import { html, useState, useEffect, useRef, useData, Loading, api, can, when, Field, Notice, AccountLink } from "../lib.js";
import { onLive } from "../live.js";

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
      const r = await api("/api/v1/panel/reply", { method: "POST", body: { to: number, text, ...(inboundId ? { inboundId } : {}) } });
      setNotice({ kind: r.status === "queued" ? "ok" : "error", text: r.status === "queued" ? "Reply queued." : `Not sent: ${r.reason ?? r.status}` });
      if (r.status === "queued") setText("");
      onSent();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<form class="panel" onSubmit=${send} aria-labelledby="reply-h">
    <h2 id="reply-h">Reply${name ? ` to ${name}` : ""}</h2>
    <${Field} id="r-to" label="To number"><input id="r-to" type="tel" required value=${number} onInput=${(e) => setNumber(e.target.value)} /><//>
    <${Field} id="r-text" label="Text"><textarea id="r-text" ref=${textRef} required rows="3" maxlength="1600" value=${text} onInput=${(e) => setText(e.target.value)}></textarea><//>
    <${Notice} notice=${notice} />
    <button type="submit">Send reply</button>
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
    return html`<span class="badge state-delivered">handled</span> <small class="muted">${m.handled.how === "replied" ? "replied" : "done"} by ${m.handled.by}, ${when(m.handled.at)}</small>
      ${can("desk") && html` <button class="link" onClick=${() => call("DELETE")} aria-label=${`Reopen the message from ${m.name ?? m.from}`}>Reopen</button>`}`;
  if (!m.needsPerson) return html`<span class="muted">automatic</span>`;
  return html`<span class="badge state-queued">needs a person</span>
    ${can("desk") && html` <button class="link" onClick=${() => call("POST")} aria-label=${`Mark the message from ${m.name ?? m.from} handled`}>Done</button>`}
    ${error && html`<small class="error" role="alert">${error}</small>`}`;
}

export function InboxPage() {
  const [needsStaff, setNeedsStaff] = useState(false);
  const [replyTo, setReplyTo] = useState(null);
  const list = useData(() => api("/api/v1/panel/inbox", { query: { limit: 100, needsStaff: needsStaff || undefined } }), [needsStaff]);
  useEffect(() => onLive("inbound.received", () => list.reload()), [list.reload]);
  return html`
    <h1 tabindex="-1">Inbox</h1>
    <label class="check"><input type="checkbox" id="needs-person" checked=${needsStaff} onChange=${(e) => setNeedsStaff(e.target.checked)} /> Only what needs a person</label>
    ${can("desk") && html`<${ReplyForm} to=${replyTo?.from} inboundId=${replyTo?.id} name=${replyTo?.name} focusKey=${replyTo?.key} onSent=${list.reload} />`}
    <${Loading} state=${list}>${(d) => html`
      <p class="muted">${d.total} message(s)</p>
      ${d.items.length === 0 && needsStaff ? html`<p class="muted" id="inbox-empty">Nothing needs a person: every reply is answered or handled.</p>` : ""}
      <div class="table-wrap"><table id="inbox-table" class="cards">
        <thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">Text</th><th scope="col">Keyword</th><th scope="col">Action taken</th><th scope="col">Handled</th><th scope="col"><span class="sr-only">Reply</span></th></tr></thead>
        <tbody>${d.items.map((m) => html`<tr key=${m.id} data-inbound=${m.id}>
          <td data-label="Received">${when(m.receivedAt)}</td>
          <td data-label="From">${m.accountId ? html`<${AccountLink} id=${m.accountId}>${m.name ?? m.accountId}<//><br /><small class="muted">${m.from}</small>` : m.from}</td>
          <td data-label="Text" class="sms-text">${m.text}${m.incomplete ? html` <span class="badge">incomplete</span>` : ""}</td>
          <td data-label="Keyword">${m.keyword ?? "–"}</td><td data-label="Action taken">${m.action?.summary ?? "–"}${m.action?.possibleOptOut ? html` <span class="badge state-failed">possible opt-out</span>` : ""}</td>
          <td data-label="Handled"><${HandledCell} m=${m} onChange=${list.reload} /></td>
          <td>${can("desk") && html`<button class="link" onClick=${() => setReplyTo({ ...m, key: Date.now() })} aria-label=${`Reply to ${m.name ?? m.from}`}>Reply</button>`}</td></tr>`)}</tbody>
      </table></div>`}
    <//>`;
}
