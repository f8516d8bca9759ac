// Settings, MQTT broker (administrators): who the accounting server logs in as, how it reaches
// the embedded broker, the certificate fingerprint to pin, and a new password on request. The
// password is kept hashed on the appliance, so it can be shown only right after it is made.
import { html, useState, useData, Loading, api, when, Notice } from "../lib.js";

export function MqttBroker() {
  const state = useData(() =>
    api("/api/v1/mqtt/credentials").catch((err) => (err.status === 404 ? null : Promise.reject(err))),
  );
  const [made, setMade] = useState(null);
  const [notice, setNotice] = useState(null);
  const rotate = async () => {
    if (
      !window.confirm(
        "Make a new password for the accounting server? Clients using the old one are disconnected until they use the new one.",
      )
    )
      return;
    try {
      setMade(await api("/api/v1/mqtt/credentials/rotate", { method: "POST" }));
      state.reload();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<section class="panel" aria-labelledby="mqtt-h" id="mqtt-broker">
    <h2 id="mqtt-h">MQTT broker</h2>
    <${Loading} state=${state}
      >${(d) =>
        !d
          ? html`<p class="muted">The embedded broker is not in use (MQTT mode is external or off).</p>`
          : html`<dl class="facts">
                <div>
                  <dt>Accounting user</dt>
                  <dd><code id="mqtt-user">${d.username}</code></dd>
                </div>
                <div>
                  <dt>Password</dt>
                  <dd>
                    ${d.source === "configured" ? "set in the configuration file (mqtt.embedded.password)" : html`stored hashed; ${d.rotatedAt ? `last changed ${when(d.rotatedAt)}` : `made ${when(d.createdAt)}`}`}
                  </dd>
                </div>
                <div>
                  <dt>Plain MQTT</dt>
                  <dd><code>${d.listeners.plain.host}:${d.listeners.plain.port}</code></dd>
                </div>
                ${
                  d.listeners.tls &&
                  html`<div>
                      <dt>MQTT over TLS</dt>
                      <dd><code>${d.listeners.tls.host}:${d.listeners.tls.port}</code></dd>
                    </div>
                    <div>
                      <dt>Certificate SHA-256</dt>
                      <dd><code id="mqtt-fingerprint">${d.listeners.tls.fingerprint256}</code></dd>
                    </div>`
                }
                <div>
                  <dt>Read-only users</dt>
                  <dd>${d.readers.length ? d.readers.join(", ") : "(none)"}</dd>
                </div>
              </dl>
              ${
                made &&
                html`<div class="ok" role="status">
                  <p>The new password of <code>${made.username}</code>; copy it now, it is shown only once:</p>
                  <code class="secret" id="mqtt-new-password">${made.password}</code>
                </div>`
              }
              ${d.source === "generated" && html`<button type="button" id="mqtt-rotate" onClick=${rotate}>Set a new password</button>`}`}<//
    >
    <${Notice} notice=${notice} />
  </section>`;
}
