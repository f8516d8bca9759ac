// Modems: every modem of the pool with its figures (GET /api/v1/modems), the doctor's checks
// on a chosen running modem, and an AT console for administrators (the modem driver allows
// only safe, read-only commands).
import { html, useState, useEffect, useData, Loading, api, can, when, Field, Notice, Signal } from "../lib.js";
import { onLive } from "../live.js";
import { t } from "../i18n/index.js";
import { ModemTable, ModemSelect, withHealth } from "../modems.js";
import { PoolEditor } from "./modem-edit.js";

const SUGGESTED = ["AT+CSQ", "AT+CREG?", "AT+COPS?", "AT+CPIN?", "ATI", "AT+CPMS?", "AT+CGMR"];
const modemPath = (id, what) => `/api/v1/modems/${encodeURIComponent(id)}/${what}`;

function Console({ modemId }) {
  const [command, setCommand] = useState("AT+CSQ");
  const [lines, setLines] = useState([]);
  const [notice, setNotice] = useState(null);
  const run = async (e) => {
    e.preventDefault();
    setNotice(null);
    try {
      const r = await api(modemPath(modemId, "console"), { method: "POST", body: { command } });
      setLines((l) => [...l, `${r.modemId}> ${r.command}`, ...r.lines].slice(-200));
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<section class="panel" aria-labelledby="console-h">
    <h2 id="console-h">${t("modem.console", { id: modemId })}</h2>
    <form onSubmit=${run} class="row">
      <${Field}
        id="at-cmd"
        label=${t("modem.command")}
        hint=${t("modem.commandHint", { examples: SUGGESTED.join(", ") })}
      >
        <input
          id="at-cmd"
          list="at-suggest"
          value=${command}
          autocomplete="off"
          spellcheck="false"
          onInput=${(e) => setCommand(e.target.value)}
        />
        <datalist id="at-suggest">${SUGGESTED.map((c) => html`<option key=${c} value=${c} />`)}</datalist>
      <//>
      <button type="submit">${t("modem.run")}</button>
    </form>
    <${Notice} notice=${notice} />
    <pre class="console" aria-live="polite" tabindex="0">${lines.join("\n")}</pre>
  </section>`;
}

/** `duegate doctor`'s checks, run through the chosen modem's own channel (behind its sends). */
function Doctor({ modemId }) {
  const [report, setReport] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  useEffect(() => setReport(null), [modemId]);
  const run = async () => {
    setBusy(true);
    setNotice(null);
    try {
      setReport(await api(modemPath(modemId, "doctor"), { method: "POST" }));
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    } finally {
      setBusy(false);
    }
  };
  const failed = report ? report.checks.filter((c) => !c.ok) : [];
  return html`<section class="panel" aria-labelledby="doctor-h">
    <h2 id="doctor-h">${t("modem.doctor", { id: modemId })}</h2>
    <p class="muted">${t("modem.doctorIntro")}</p>
    <button type="button" id="doctor-run" onClick=${run} disabled=${busy}>
      ${busy ? t("modem.checking") : t("modem.check", { id: modemId })}
    </button>
    <${Notice} notice=${notice} />
    ${
      report &&
      html`<p id="doctor-summary" role="status">
          ${
            failed.length === 0
              ? t("modem.allPassed", { id: report.modemId })
              : t("modem.failed", {
                  id: report.modemId,
                  n: failed.length,
                  first: `${failed[0].name}: ${failed[0].detail}`,
                })
          }
          <span class="muted">${when(report.at)}</span>
        </p>
        <ul id="doctor-checks" class="checks">
          ${report.checks.map(
            (c) =>
              html`<li key=${c.name} class=${c.ok ? "check-ok" : "check-fail"}>
                <span class=${`badge ${c.ok ? "health-ready" : "health-offline"}`}
                  >${c.ok ? t("modem.pass") : t("modem.fail")}</span
                >
                <strong>${c.name}</strong>: ${c.signal ? html`<${Signal} signal=${c.signal} />` : c.detail}
                ${c.hint && html`<div class="hint">${t("modem.hint", { hint: c.hint })}</div>`}
              </li>`,
          )}
        </ul>`
    }
  </section>`;
}

function SerialPorts({ d }) {
  const ports = new Set(d.items.map((m) => m.port));
  return html`<section class="panel" aria-labelledby="ports-h">
    <h2 id="ports-h">${t("modem.ports")}</h2>
    ${
      d.serialPortsError
        ? html`<p class="error">${d.serialPortsError}</p>`
        : d.serialPorts.length === 0
          ? html`<p class="muted">${t("modem.noPorts")}</p>`
          : html`<div class="table-wrap">
              <table id="ports-table" class="cards">
                <thead>
                  <tr>
                    <th scope="col">${t("modem.col.path")}</th>
                    <th scope="col">${t("modem.col.stable")}</th>
                    <th scope="col">${t("modem.col.maker")}</th>
                    <th scope="col">${t("modem.col.usb")}</th>
                  </tr>
                </thead>
                <tbody>
                  ${d.serialPorts.map(
                    (p) =>
                      html`<tr key=${p.path}>
                        <td data-label=${t("modem.col.path")}>
                          <code>${p.path}</code
                          >${ports.has(p.path) || ports.has(p.byId) ? html` <span class="badge">${t("modem.inUse")}</span>` : ""}
                        </td>
                        <td data-label=${t("modem.col.stable")}><code>${p.byId ?? "–"}</code></td>
                        <td data-label=${t("modem.col.maker")}>${p.manufacturer ?? "–"}</td>
                        <td data-label=${t("modem.col.usb")}>
                          ${p.vendorId ? `${p.vendorId}:${p.productId ?? ""}` : "–"}
                        </td>
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>`
    }
    <p class="muted">${t("modem.portsHelp")}</p>
  </section>`;
}

export function ModemPage() {
  const state = useData(() => api("/api/v1/modems"));
  const [modems, setModems] = useState(null);
  const [chosen, setChosen] = useState(null);
  useEffect(() => {
    if (state.data) setModems(state.data.items);
  }, [state.data]);
  useEffect(() => {
    const reload = () =>
      api("/api/v1/modems")
        .then((d) => setModems(d.items))
        .catch(() => {});
    const offs = [
      onLive("modem.health", (h) => setModems((ms) => withHealth(ms, h))),
      onLive("modem.rotation", reload),
      onLive("modem.credit", reload),
      onLive("modem.presence", reload),
    ];
    return () => offs.forEach((off) => off());
  }, []);
  return html` <h1 tabindex="-1">${t("modem.title")}</h1>
    <${Loading} state=${state}
      >${(d) => {
        const list = modems ?? d.items;
        const modemId = chosen ?? list[0]?.id;
        return html` <section class="panel" aria-labelledby="modems-h">
            <h2 id="modems-h">${t("modem.pool", { n: list.length })}</h2>
            <${ModemTable} modems=${list} currency=${d.currency} />
          </section>
          ${can("admin") && html`<${PoolEditor} modems=${list} configured=${d.configured} serialPorts=${d.serialPorts} profiles=${d.profiles} onChanged=${() => state.reload()} />`}
          ${
            modemId &&
            html`<section class="panel" aria-labelledby="choose-h">
                <h2 id="choose-h">${t("modem.checkOne")}</h2>
                <${ModemSelect} modems=${list} value=${modemId} onChange=${setChosen} />
              </section>
              <${Doctor} modemId=${modemId} />
              ${can("admin") ? html`<${Console} modemId=${modemId} />` : html`<p class="muted">${t("modem.consoleAdmins")}</p>`}`
          }
          <${SerialPorts} d=${d} />`;
      }}
    <//>`;
}
