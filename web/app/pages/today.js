// Today: the clerk's home. Who was reminded today (sent and waiting), replies that need a
// person, promises due or broken, open disputes, disconnection and hand-off marks, and
// today's opt-outs. Every line links to its account. One query: GET /api/v1/today.
import { html, useEffect, useData, Loading, api, when, money, StateBadge, AccountLink } from "../lib.js";
import { onLive } from "../live.js";

const MARK_LABEL = { disconnect: "disconnection", handoff: "hand-off" };

function Section({ id, title, items, empty, children }) {
  return html`<section class="panel today-section" aria-labelledby=${id}>
    <h2 id=${id}>${title} <span class="badge">${items.length}</span></h2>
    ${items.length === 0 ? html`<p class="muted">${empty}</p>` : html`<ul class="today-list">${items.map(children)}</ul>`}
  </section>`;
}

function Who({ item }) {
  return html`<span class="who-line"><${AccountLink} id=${item.accountId}>${item.name ?? item.accountId}<//> <small class="muted">${item.accountId}</small></span>`;
}

export function TodayPage() {
  const state = useData(() => api("/api/v1/today"));
  useEffect(() => {
    const offs = ["message.state", "inbound.received", "account.optout", "account.mark"].map((e) => onLive(e, () => state.reload()));
    return () => offs.forEach((off) => off());
  }, [state.reload]);
  return html`
    <h1 tabindex="-1">Today</h1>
    <${Loading} state=${state}>${(d) => {
      const waiting = d.reminders.filter((r) => r.state === "queued" || r.state === "sending");
      const sent = d.reminders.filter((r) => !(r.state === "queued" || r.state === "sending"));
      return html`
        <p class="muted">${d.date} (${d.timeZone}) · ${sent.length} reminder(s) sent, ${waiting.length} waiting, ${d.replies.length} repl${d.replies.length === 1 ? "y" : "ies"} need a person</p>
        <div class="today-grid">
          <${Section} id="t-replies" title="Replies needing a person" items=${d.replies} empty="Nobody is waiting for an answer.">${(r) => html`<li key=${r.id}>
            ${r.accountId ? html`<${Who} item=${r} />` : html`<span class="who-line">${r.from} <small class="muted">no account</small></span>`}
            ${r.keyword ? html` <span class="badge">${r.keyword}</span>` : ""}
            <div class="sms-text">${r.text}</div><small class="muted">${when(r.receivedAt)} · <a href="/inbox">answer in the inbox</a></small></li>`}<//>
          <${Section} id="t-reminders" title="Reminders today" items=${d.reminders} empty="No reminder was decided today.">${(r) => html`<li key=${`${r.accountId}-${r.step}-${r.at}`}>
            <${Who} item=${r} /> <span class="badge">${r.step}</span> ${money(r.amountDue, r.currency)} <${StateBadge} state=${r.state} />
            <small class="muted"> ${when(r.at)}</small></li>`}<//>
          <${Section} id="t-promises" title="Promises due or broken" items=${d.promises} empty="No promise falls due today.">${(p) => html`<li key=${p.accountId}>
            <${Who} item=${p} /> <span class=${`badge ${p.status === "broken" ? "state-failed" : "state-queued"}`}>${p.status === "broken" ? "broken" : "due today"}</span>
            promised for ${p.date} · ${money(p.amountDue, p.currency)} still due</li>`}<//>
          <${Section} id="t-disputes" title="Disputes open" items=${d.disputes} empty="No invoice is in dispute.">${(x) => html`<li key=${x.invoiceId}>
            <${Who} item=${x} /> invoice ${x.number} · ${money(x.amountDue, x.currency)}${x.text ? html`<div class="sms-text muted">“${x.text}”</div>` : ""}</li>`}<//>
          <${Section} id="t-marks" title="Marked for disconnection or hand-off" items=${d.marks} empty="No account is marked.">${(m) => html`<li key=${`${m.accountId}-${m.mark}`}>
            <${Who} item=${m} /> <span class="badge state-failed">${MARK_LABEL[m.mark] ?? m.mark}</span> after step ${m.step} <small class="muted">${when(m.at)}</small></li>`}<//>
          <${Section} id="t-optouts" title="Opt-outs today" items=${d.optOuts} empty="Nobody opted out today.">${(o) => html`<li key=${`${o.accountId}-${o.at}`}>
            <${Who} item=${o} /> ${o.optedOut ? "opted out" : "opted in again"} by ${o.source} <small class="muted">${when(o.at)}</small></li>`}<//>
        </div>`;
    }}<//>`;
}
