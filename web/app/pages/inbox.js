// Inbox: inbound SMS with the keyword action taken; reply to a number.
import { html, useState, useEffect, useData, Loading, api, can, when, Field, Notice } from "../lib.js";
import { onLive } from "../live.js";

function ReplyForm({ to, inboundId, onSent }) {
  const [number, setNumber] = useState(to ?? "");
  const [text, setText] = useState("");
  const [notice, setNotice] = useState(null);
  useEffect(() => setNumber(to ?? ""), [to]);
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
    <h2 id="reply-h">Reply</h2>
    <${Field} id="r-to" label="To number"><input id="r-to" type="tel" required value=${number} onInput=${(e) => setNumber(e.target.value)} /><//>
    <${Field} id="r-text" label="Text"><textarea id="r-text" required rows="3" maxlength="1600" value=${text} onInput=${(e) => setText(e.target.value)}></textarea><//>
    <${Notice} notice=${notice} />
    <button type="submit">Send reply</button>
  </form>`;
}

export function InboxPage() {
  const [needsStaff, setNeedsStaff] = useState(false);
  const [replyTo, setReplyTo] = useState(null);
  const list = useData(() => api("/api/v1/panel/inbox", { query: { limit: 100, needsStaff: needsStaff || undefined } }), [needsStaff]);
  useEffect(() => onLive("inbound.received", () => list.reload()), [list.reload]);
  return html`
    <h1 tabindex="-1">Inbox</h1>
    <label class="check"><input type="checkbox" checked=${needsStaff} onChange=${(e) => setNeedsStaff(e.target.checked)} /> Only what needs a person</label>
    ${can("desk") && html`<${ReplyForm} to=${replyTo?.from} inboundId=${replyTo?.id} onSent=${list.reload} />`}
    <${Loading} state=${list}>${(d) => html`
      <p class="muted">${d.total} message(s)</p>
      <div class="table-wrap"><table id="inbox-table">
        <thead><tr><th scope="col">Received</th><th scope="col">From</th><th scope="col">Text</th><th scope="col">Keyword</th><th scope="col">Action taken</th><th scope="col"><span class="sr-only">Reply</span></th></tr></thead>
        <tbody>${d.items.map((m) => html`<tr key=${m.id}>
          <td>${when(m.receivedAt)}</td><td>${m.from}</td><td>${m.text}${m.incomplete ? html` <span class="badge">incomplete</span>` : ""}</td>
          <td>${m.keyword ?? "–"}</td><td>${m.action?.summary ?? "–"}${m.action?.possibleOptOut ? html` <span class="badge state-failed">possible opt-out</span>` : ""}</td>
          <td>${can("desk") && html`<button class="link" onClick=${() => setReplyTo(m)}>Reply</button>`}</td></tr>`)}</tbody>
      </table></div>`}
    <//>`;
}
