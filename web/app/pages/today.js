// Today: the clerk's home. Who was reminded today (sent and waiting), replies that need a
// person, promises due or broken, open disputes, disconnection and hand-off marks, and
// today's opt-outs. Every line links to its account. One query: GET /api/v1/today.
import { html, useEffect, useData, Loading, api, when, day, money, StateBadge, AccountLink } from "../lib.js";
import { onLive } from "../live.js";
import { t } from "../i18n/index.js";

function Section({ id, title, items, empty, children }) {
  return html`<section class="panel today-section" aria-labelledby=${id}>
    <h2 id=${id}>${title} <span class="badge">${items.length}</span></h2>
    ${
      items.length === 0
        ? html`<p class="muted">${empty}</p>`
        : html`<ul class="today-list">
            ${items.map(children)}
          </ul>`
    }
  </section>`;
}

function Who({ item }) {
  return html`<span class="who-line"
    ><${AccountLink} id=${item.accountId}>${item.name ?? item.accountId}<//>
    <small class="muted">${item.accountId}</small></span
  >`;
}

export function TodayPage() {
  const state = useData(() => api("/api/v1/today"));
  useEffect(() => {
    // A batch of reminders changes state many times a second: one reload per two seconds at most.
    let timer = null;
    const soon = () => {
      if (timer === null) timer = setTimeout(() => ((timer = null), state.reload()), 2000);
    };
    const offs = [
      "message.state",
      "inbound.received",
      "keyword.action",
      "account.optout",
      "account.mark",
      "ledger.changed",
    ].map((e) => onLive(e, soon));
    return () => {
      offs.forEach((off) => off());
      if (timer !== null) clearTimeout(timer);
    };
  }, [state.reload]);
  return html` <h1 tabindex="-1">${t("today.title")}</h1>
    <${Loading} state=${state}
      >${(d) => {
        const waiting = d.reminders.filter((r) => r.state === "queued" || r.state === "sending");
        const sent = d.reminders.filter((r) => !(r.state === "queued" || r.state === "sending"));
        return html` <p class="muted">
            ${t("today.summary", { date: day(d.date), zone: d.timeZone, sent: sent.length, waiting: waiting.length, replies: d.replies.length })}
          </p>
          <div class="today-grid">
            <${Section} id="t-replies" title=${t("today.replies")} items=${d.replies} empty=${t("today.replies.empty")}
              >${(r) =>
                html`<li key=${r.id}>
                  ${r.accountId ? html`<${Who} item=${r} />` : html`<span class="who-line">${r.from} <small class="muted">${t("today.replies.noAccount")}</small></span>`}
                  ${r.keyword ? html` <span class="badge">${r.keyword}</span>` : ""}
                  <div class="sms-text">${r.text}</div>
                  <small class="muted">${when(r.receivedAt)} · <a href="/inbox">${t("today.replies.answer")}</a></small>
                </li>`}<//
            >
            <${Section}
              id="t-reminders"
              title=${t("today.reminders")}
              items=${d.reminders}
              empty=${t("today.reminders.empty")}
              >${(r) =>
                html`<li key=${`${r.accountId}-${r.step}-${r.at}`}>
                  <${Who} item=${r} /> <span class="badge">${r.step}</span> ${money(r.amountDue, r.currency)}
                  <${StateBadge} state=${r.state} /> <small class="muted"> ${when(r.at)}</small>
                </li>`}<//
            >
            <${Section}
              id="t-promises"
              title=${t("today.promises")}
              items=${d.promises}
              empty=${t("today.promises.empty")}
              >${(p) =>
                html`<li key=${p.accountId}>
                  <${Who} item=${p} />
                  <span class=${`badge ${p.status === "broken" ? "state-failed" : "state-queued"}`}
                    >${p.status === "broken" ? t("today.promises.broken") : t("today.promises.due")}</span
                  >
                  ${t("today.promises.line", { date: day(p.date), amount: money(p.amountDue, p.currency) })}
                </li>`}<//
            >
            <${Section}
              id="t-disputes"
              title=${t("today.disputes")}
              items=${d.disputes}
              empty=${t("today.disputes.empty")}
              >${(x) =>
                html`<li key=${x.invoiceId}>
                  <${Who} item=${x} />
                  ${t("today.disputes.line", { number: x.number, amount: money(x.amountDue, x.currency) })}${x.text ? html`<div class="sms-text muted">“${x.text}”</div>` : ""}
                </li>`}<//
            >
            <${Section} id="t-marks" title=${t("today.marks")} items=${d.marks} empty=${t("today.marks.empty")}
              >${(m) =>
                html`<li key=${`${m.accountId}-${m.mark}`}>
                  <${Who} item=${m} />
                  <span class="badge state-failed">${t(`today.mark.${m.mark}`)}</span>
                  ${t("today.marks.after", { step: m.step })} <small class="muted">${when(m.at)}</small>
                </li>`}<//
            >
            <${Section} id="t-optouts" title=${t("today.optouts")} items=${d.optOuts} empty=${t("today.optouts.empty")}
              >${(o) =>
                html`<li key=${`${o.accountId}-${o.at}`}>
                  <${Who} item=${o} /> ${t(o.optedOut ? "today.optouts.out" : "today.optouts.in", { source: o.source })}
                  <small class="muted">${when(o.at)}</small>
                </li>`}<//
            >
          </div>`;
      }}<//
    >`;
}
