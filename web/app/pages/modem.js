// Modem: profile, port, health, the doctor's checks on the running modem, and an AT console
// for technicians (the modem driver allows only safe, read-only commands; admins only).
import { html, useState, useData, Loading, api, can, when, Field, Notice, Signal, count } from "../lib.js";
import { t, term } from "../i18n/index.js";

const SUGGESTED = ["AT+CSQ", "AT+CREG?", "AT+COPS?", "AT+CPIN?", "ATI", "AT+CPMS?", "AT+CGMR"];

function Console() {
  const [command, setCommand] = useState("AT+CSQ");
  const [lines, setLines] = useState([]);
  const [notice, setNotice] = useState(null);
  const run = async (e) => {
    e.preventDefault();
    setNotice(null);
    try {
      const r = await api("/api/v1/panel/modem/console", { method: "POST", body: { command } });
      setLines((l) => [...l, `> ${r.command}`, ...r.lines].slice(-200));
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<section class="panel" aria-labelledby="console-h">
    <h2 id="console-h">${t("modem.console")}</h2>
    <form onSubmit=${run} class="row">
      <${Field}
        id="at-cmd"
        label=${t("modem.command")}
        hint=${t("modem.command.hint", { examples: SUGGESTED.join(", ") })}
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

/** `duegate doctor`'s checks, run through the service's own modem channel (behind any sends). */
function Doctor() {
  const [report, setReport] = useState(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState(null);
  const run = async () => {
    setBusy(true);
    setNotice(null);
    try {
      setReport(await api("/api/v1/panel/modem/doctor"));
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    } finally {
      setBusy(false);
    }
  };
  const failed = report ? report.checks.filter((c) => !c.ok).length : 0;
  return html`<section class="panel" aria-labelledby="doctor-h">
    <h2 id="doctor-h">${t("modem.doctor")}</h2>
    <p class="muted">${t("modem.doctor.intro")}</p>
    <button type="button" id="doctor-run" onClick=${run} disabled=${busy}>
      ${busy ? t("modem.checking") : t("modem.check")}
    </button>
    <${Notice} notice=${notice} />
    ${
      report &&
      html`<p id="doctor-summary" role="status">
          ${failed === 0 ? t("modem.allPassed") : t("modem.failed", { n: count(failed) })}
          <span class="muted">${when(report.at)}</span>
        </p>
        <ul id="doctor-checks" class="checks">
          ${report.checks.map(
            (c) =>
              html`<li key=${c.name} class=${c.ok ? "check-ok" : "check-fail"}>
                <span class=${`badge ${c.ok ? "health-ready" : "health-offline"}`}
                  >${c.ok ? t("modem.pass") : t("modem.fail")}</span
                >
                <strong>${c.name}</strong>: ${c.detail}
                ${c.hint && html`<div class="hint">${t("modem.hint")} ${c.hint}</div>`}
              </li>`,
          )}
        </ul>`
    }
  </section>`;
}

export function ModemPage() {
  const state = useData(() => api("/api/v1/panel/modem"));
  return html` <h1 tabindex="-1">${t("nav.modem")}</h1>
    <${Loading} state=${state}
      >${(d) =>
        html` <section class="panel" aria-labelledby="modem-cfg-h">
            <h2 id="modem-cfg-h">${t("modem.config")}</h2>
            <dl class="facts">
              <div>
                <dt>${t("modem.port")}</dt>
                <dd>${d.port === "sim" ? t("modem.simulator") : d.port}</dd>
              </div>
              <div>
                <dt>${t("modem.profile")}</dt>
                <dd>${d.profile}</dd>
              </div>
              <div>
                <dt>${t("modem.baud")}</dt>
                <dd>${count(d.baudRate)}</dd>
              </div>
            </dl>
            <h3>${t("modem.ports")}</h3>
            ${
              Array.isArray(d.ports)
                ? d.ports.length === 0
                  ? html`<p class="muted">${t("modem.noPorts")}</p>`
                  : html`<div class="table-wrap">
                      <table id="ports-table">
                        <thead>
                          <tr>
                            <th scope="col">${t("modem.path")}</th>
                            <th scope="col">${t("modem.stableName")}</th>
                            <th scope="col">${t("modem.maker")}</th>
                            <th scope="col">${t("modem.usbId")}</th>
                          </tr>
                        </thead>
                        <tbody>
                          ${d.ports.map(
                            (p) =>
                              html`<tr key=${p.path}>
                                <td>
                                  <code>${p.path}</code
                                  >${p.path === d.port || p.byId === d.port ? html` <span class="badge">${t("modem.inUse")}</span>` : ""}
                                </td>
                                <td><code>${p.byId ?? "–"}</code></td>
                                <td>${p.manufacturer ?? "–"}</td>
                                <td>${p.vendorId ? `${p.vendorId}:${p.productId ?? ""}` : "–"}</td>
                              </tr>`,
                          )}
                        </tbody>
                      </table>
                    </div>`
                : html`<p class="error">${d.ports?.error}</p>`
            }
            <p class="muted">${t("modem.otherPort")}</p>
          </section>
          <section class="panel" aria-labelledby="modem-health-h">
            <h2 id="modem-health-h">${t("modem.health")}</h2>
            ${
              d.health
                ? html`<dl class="facts">
                    <div>
                      <dt>${t("dash.state")}</dt>
                      <dd><span class=${`badge health-${d.health.state}`}>${term("health", d.health.state)}</span></dd>
                    </div>
                    <div>
                      <dt>${t("modem.model")}</dt>
                      <dd>${d.health.model ?? "–"}</dd>
                    </div>
                    <div>
                      <dt>${t("dash.signal")}</dt>
                      <dd><${Signal} signal=${d.health.signal} /></dd>
                    </div>
                    <div>
                      <dt>${t("dash.registration")}</dt>
                      <dd>${d.health.registration ? term("registration", d.health.registration) : "–"}</dd>
                    </div>
                    <div>
                      <dt>${t("dash.operator")}</dt>
                      <dd>${d.health.operator ?? "–"}</dd>
                    </div>
                    <div>
                      <dt>${t("dash.sim")}</dt>
                      <dd>${d.health.simState ?? "–"}</dd>
                    </div>
                    <div>
                      <dt>${t("modem.checked")}</dt>
                      <dd>${when(d.health.at)}</dd>
                    </div>
                    ${
                      d.health.lastError &&
                      html`<div>
                        <dt>${t("dash.lastError")}</dt>
                        <dd class="error">${d.health.lastError}</dd>
                      </div>`
                    }
                  </dl>`
                : html`<p class="muted">${t("modem.noHealth")}</p>`
            }
          </section>
          ${d.doctorAvailable && html`<${Doctor} />`}
          ${can("admin") && d.consoleAvailable ? html`<${Console} />` : html`<p class="muted">${t("modem.consoleAdmins")}</p>`}`}
    <//>`;
}
