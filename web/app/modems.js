// The modems of the pool as one table, a card per modem on a phone: the dashboard and the
// Modem page show the same figures (GET /api/v1/modems, src/app/modems.ts).
import { html, when, Signal, Field } from "./lib.js";
import { i18n, t } from "./i18n/index.js";

/** Cost in the gateway's currency; a part costs cents, so up to four decimals. */
function cost(x, currency) {
  try {
    return new Intl.NumberFormat(i18n.locale, {
      style: "currency",
      currency,
      minimumFractionDigits: 2,
      maximumFractionDigits: 4,
    }).format(x);
  } catch {
    return `${x} ${currency}`;
  }
}

/** Prepaid credit as the operator said it: the amount when there was one, and when it was read. */
function Credit({ credit }) {
  if (!credit) return html`<span class="muted">–</span>`;
  const amount =
    credit.amount !== undefined
      ? new Intl.NumberFormat(i18n.locale, { minimumFractionDigits: 2 }).format(credit.amount / 100)
      : credit.text;
  return html`<span class=${credit.low ? "error" : ""}>${amount}</span
    >${credit.low ? html` <span class="badge state-failed">${t("modems.creditLow")}</span>` : ""}
    <div class="muted small">${t("modems.read", { at: when(credit.at) })}</div>`;
}

function Rotation({ m }) {
  if (m.inRotation) return html`<span class="badge health-ready">${t("modems.inRotation")}</span>`;
  return html`<span class="badge health-offline">${t("modems.outOfRotation")}</span>
    <div class="rotation-reason">${m.reason ?? t("modems.noReason")}</div>
    ${m.retryAt ? html`<div class="muted small">${t("modems.until", { at: when(m.retryAt) })}</div>` : ""}`;
}

const limit = (n) => (n > 0 ? n : "–");

export function ModemTable({ modems, currency = "EUR", id = "modems-table" }) {
  if (!modems || modems.length === 0) return html`<p class="muted">${t("modems.none")}</p>`;
  const col = (key) => t(`modems.col.${key}`);
  return html`<div class="table-wrap">
    <table id=${id} class="cards modems">
      <caption class="sr-only">
        ${t("modems.caption")}
      </caption>
      <thead>
        <tr>
          <th scope="col">${col("modem")}</th>
          <th scope="col">${col("state")}</th>
          <th scope="col">${col("signal")}</th>
          <th scope="col">${col("network")}</th>
          <th scope="col">${col("credit")}</th>
          <th scope="col">${col("today")}</th>
          <th scope="col">${col("month")}</th>
          <th scope="col">${col("cost")}</th>
          <th scope="col">${col("rotation")}</th>
        </tr>
      </thead>
      <tbody>
        ${modems.map(
          (m) =>
            html`<tr key=${m.id} data-modem=${m.id} class=${m.inRotation ? "" : "out-of-rotation"}>
              <td data-label=${col("modem")}>
                <strong>${m.id}</strong>
                <div class="muted small">${m.number ?? t("modems.noNumber")}</div>
                <div class="muted small">
                  <code>${m.port === "sim" ? t("modems.simulator") : m.port}</code> · ${m.profile}
                </div>
              </td>
              <td data-label=${col("state")}>
                <span class=${`badge health-${m.health.state}`}>${m.health.state}</span>
                ${m.health.simState ? html`<div class="muted small">SIM ${m.health.simState}</div>` : ""}
                ${m.health.lastError ? html`<div class="error small">${m.health.lastError}</div>` : ""}
              </td>
              <td data-label=${col("signal")}><${Signal} signal=${m.health.signal} /></td>
              <td data-label=${col("network")}>
                ${m.health.registration ?? "–"}${m.health.operator ? html`<div>${m.health.operator}</div>` : ""}
              </td>
              <td data-label=${col("credit")}><${Credit} credit=${m.credit} /></td>
              <td data-label=${col("today")}>${m.partsToday} / ${limit(m.limits.perDay)}</td>
              <td data-label=${col("month")}>${m.partsThisMonth} / ${limit(m.limits.perMonth)}</td>
              <td data-label=${col("cost")}>
                ${cost(m.cost.today, currency)}
                <div class="muted small">${t("modems.costMonth", { cost: cost(m.cost.thisMonth, currency) })}</div>
                <div class="muted small">${t("modems.costPart", { cost: cost(m.costPerPart, currency) })}</div>
              </td>
              <td data-label=${col("rotation")}><${Rotation} m=${m} /></td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** A live modem.health event (it carries the modem's id) applied to the list. */
export function withHealth(modems, health) {
  if (!modems || !health?.modemId) return modems;
  return modems.map((m) => (m.id === health.modemId ? { ...m, health } : m));
}

/** The modem chooser of the doctor and the console. */
export function ModemSelect({ modems, value, onChange }) {
  return html`<${Field} id="modem-select" label=${t("modems.choose")}>
    <select id="modem-select" value=${value} onChange=${(e) => onChange(e.target.value)}>
      ${modems.map((m) => html`<option key=${m.id} value=${m.id}>${m.id}${m.number ? ` (${m.number})` : ""}</option>`)}
    </select>
  <//>`;
}
