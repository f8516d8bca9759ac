// Settings, MQTT broker (administrators): who the accounting server logs in as, how it reaches
// the embedded broker, the certificate fingerprint to pin, and a new password on request. The
// password is kept hashed on the appliance, so it can be shown only right after it is made.
import { html, useState, useData, Loading, api, when, Notice } from "../lib.js";
import { t } from "../i18n/index.js";

export function MqttBroker() {
  const state = useData(() =>
    api("/api/v1/mqtt/credentials").catch((err) => (err.status === 404 ? null : Promise.reject(err))),
  );
  const [made, setMade] = useState(null);
  const [notice, setNotice] = useState(null);
  const rotate = async () => {
    if (!window.confirm(t("mqtt.confirmRotate"))) return;
    try {
      setMade(await api("/api/v1/mqtt/credentials/rotate", { method: "POST" }));
      state.reload();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<section class="panel" aria-labelledby="mqtt-h" id="mqtt-broker">
    <h2 id="mqtt-h">${t("mqtt.title")}</h2>
    <${Loading} state=${state}
      >${(d) =>
        !d
          ? html`<p class="muted">${t("mqtt.notInUse")}</p>`
          : html`<dl class="facts">
                <div>
                  <dt>${t("mqtt.user")}</dt>
                  <dd><code id="mqtt-user">${d.username}</code></dd>
                </div>
                <div>
                  <dt>${t("mqtt.password")}</dt>
                  <dd>
                    ${d.source === "configured" ? t("mqtt.configured") : d.rotatedAt ? t("mqtt.rotated", { at: when(d.rotatedAt) }) : t("mqtt.made", { at: when(d.createdAt) })}
                  </dd>
                </div>
                <div>
                  <dt>${t("mqtt.plain")}</dt>
                  <dd><code>${d.listeners.plain.host}:${d.listeners.plain.port}</code></dd>
                </div>
                ${
                  d.listeners.tls &&
                  html`<div>
                      <dt>${t("mqtt.tls")}</dt>
                      <dd><code>${d.listeners.tls.host}:${d.listeners.tls.port}</code></dd>
                    </div>
                    <div>
                      <dt>${t("mqtt.fingerprint")}</dt>
                      <dd><code id="mqtt-fingerprint">${d.listeners.tls.fingerprint256}</code></dd>
                    </div>`
                }
                <div>
                  <dt>${t("mqtt.readers")}</dt>
                  <dd>${d.readers.length ? d.readers.join(", ") : t("set.none")}</dd>
                </div>
              </dl>
              ${
                made &&
                html`<div class="ok" role="status">
                  <p>${t("mqtt.newPassword", { user: made.username })}</p>
                  <code class="secret" id="mqtt-new-password">${made.password}</code>
                </div>`
              }
              ${d.source === "generated" && html`<button type="button" id="mqtt-rotate" onClick=${rotate}>${t("mqtt.rotate")}</button>`}`}<//
    >
    <${Notice} notice=${notice} />
  </section>`;
}
