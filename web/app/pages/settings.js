// Settings: how the appliance is set up, the settings administrators may change here (saved
// to <dataDir>/settings.yaml, in force at once where possible), users and API keys.
import { html, useState, useData, Loading, api, can, when, Field, Notice } from "../lib.js";
import { t, i18n } from "../i18n/index.js";
import { EditableSettings } from "./settings-form.js";
import { MqttBroker } from "./settings-mqtt.js";
import { TestMail } from "./settings-email.js";

/** Nested settings as dotted keys ("sendWindow.start"), the way the configuration file names them. */
function flatten(value, prefix = "", out = []) {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else
      out.push([
        key,
        Array.isArray(v) ? (v.length ? v.join(", ") : t("set.none")) : v === "" ? t("set.empty") : String(v),
      ]);
  }
  return out;
}

function ConfigSection({ title, value }) {
  if (!value || typeof value !== "object") return null;
  return html`<section class="panel">
    <h2>${title}</h2>
    <dl class="facts">
      ${flatten(value).map(
        ([k, v]) =>
          html`<div key=${k}>
            <dt>${k}</dt>
            <dd><code>${v}</code></dd>
          </div>`,
      )}
    </dl>
  </section>`;
}

function Users() {
  const list = useData(() => api("/api/v1/users"));
  const [form, setForm] = useState({ name: "", role: "viewer", password: "" });
  const [errors, setErrors] = useState({});
  const [notice, setNotice] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    setErrors({});
    try {
      await api("/api/v1/users", { method: "POST", body: form });
      setNotice({ kind: "ok", text: t("users.created", { name: form.name }) });
      setForm({ name: "", role: "viewer", password: "" });
      list.reload();
    } catch (err) {
      if (err.field) setErrors({ [err.field]: err.message });
      else setNotice({ kind: "error", text: err.message });
    }
  };
  const remove = async (name) => {
    try {
      await api(`/api/v1/users/${encodeURIComponent(name)}`, { method: "DELETE" });
      list.reload();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  // An admin sets another user's panel language; "" forgets it (the user's browser decides again).
  const setLanguage = async (name, language) => {
    try {
      await api(`/api/v1/users/${encodeURIComponent(name)}`, { method: "PATCH", body: { language: language || null } });
      setNotice({ kind: "ok", text: t("users.languageSet", { name }) });
      list.reload();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  return html`<section class="panel" aria-labelledby="users-h">
    <h2 id="users-h">${t("users.title")}</h2>
    <${Loading} state=${list}
      >${(d) =>
        html`<div class="table-wrap">
          <table id="users-table">
            <thead>
              <tr>
                <th scope="col">${t("msg.col.name")}</th>
                <th scope="col">${t("users.role")}</th>
                <th scope="col">${t("shell.language")}</th>
                <th scope="col">${t("users.passwordChanged")}</th>
                <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              ${d.items.map(
                (u) =>
                  html`<tr key=${u.name}>
                    <td>${u.name}</td>
                    <td>${t(`role.${u.role}`)}</td>
                    <td>
                      <label class="sr-only" for=${`u-lang-${u.name}`}
                        >${t("users.languageOf", { name: u.name })}</label
                      >
                      <select
                        id=${`u-lang-${u.name}`}
                        class="user-language"
                        value=${u.language ?? ""}
                        onChange=${(e) => setLanguage(u.name, e.target.value)}
                      >
                        <option value="">${t("users.browserLanguage")}</option>
                        ${i18n.languages.map((l) => html`<option key=${l.code} value=${l.code}>${l.name}</option>`)}
                      </select>
                    </td>
                    <td>${when(u.passwordChangedAt)}</td>
                    <td>
                      <button
                        class="link danger"
                        onClick=${() => remove(u.name)}
                        aria-label=${t("users.deleteLabel", { name: u.name })}
                      >
                        ${t("users.delete")}
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`}<//
    >
    <form onSubmit=${add} class="filters" aria-label=${t("users.addLabel")} id="add-user">
      <${Field} id="u-name" label=${t("msg.col.name")} error=${errors.name}
        ><input
          id="u-name"
          required
          autocomplete="off"
          value=${form.name}
          onInput=${(e) => setForm({ ...form, name: e.target.value })}
      /><//>
      <${Field} id="u-role" label=${t("users.role")} error=${errors.role}
        ><select id="u-role" value=${form.role} onChange=${(e) => setForm({ ...form, role: e.target.value })}>
          <option value="viewer">${t("users.role.viewer")}</option>
          <option value="clerk">${t("users.role.clerk")}</option>
          <option value="admin">${t("users.role.admin")}</option>
        </select><//
      >
      <${Field} id="u-password" label=${t("mqtt.password")} error=${errors.password} hint=${t("users.passwordHint")}
        ><input
          id="u-password"
          type="password"
          autocomplete="new-password"
          required
          value=${form.password}
          onInput=${(e) => setForm({ ...form, password: e.target.value })}
      /><//>
      <button type="submit">${t("users.add")}</button>
    </form>
    <${Notice} notice=${notice} />
  </section>`;
}

/** What a key may do, as offered in the form; the scopes are explained in docs/http.md (Keys). */
const KEY_ACCESS = {
  read: ["read"],
  desk: ["read", "desk"],
  write: ["read", "write"],
  policy: ["read", "policy"],
  metrics: ["metrics"],
};

function ApiKeys() {
  const list = useData(() => api("/api/v1/api-keys"));
  const [name, setName] = useState("");
  const [access, setAccess] = useState("read");
  const [made, setMade] = useState(null);
  const [notice, setNotice] = useState(null);
  const add = async (e) => {
    e.preventDefault();
    try {
      const r = await api("/api/v1/api-keys", { method: "POST", body: { name, scopes: KEY_ACCESS[access] } });
      setMade(r.key);
      setName("");
      list.reload();
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  const revoke = async (id) => {
    await api(`/api/v1/api-keys/${encodeURIComponent(id)}`, { method: "DELETE" }).catch((err) =>
      setNotice({ kind: "error", text: err.message }),
    );
    list.reload();
  };
  return html`<section class="panel" aria-labelledby="keys-h">
    <h2 id="keys-h">${t("keys.title")}</h2>
    <p class="muted">${t("keys.intro")} <code>${"Authorization: Bearer <key>"}</code>.</p>
    ${
      made &&
      html`<div class="ok" role="status">
        <p>${t("keys.copy")}</p>
        <code class="secret" id="new-key">${made}</code>
      </div>`
    }
    <${Loading} state=${list}
      >${(d) =>
        html`<div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">${t("msg.col.name")}</th>
                <th scope="col">${t("keys.prefix")}</th>
                <th scope="col">${t("keys.scopes")}</th>
                <th scope="col">${t("keys.lastUsed")}</th>
                <th scope="col"><span class="sr-only">${t("common.actions")}</span></th>
              </tr>
            </thead>
            <tbody>
              ${d.items.map(
                (k) =>
                  html`<tr key=${k.id}>
                    <td>${k.name}</td>
                    <td><code>${k.prefix}…</code></td>
                    <td>${k.scopes.join(", ")}</td>
                    <td>${when(k.lastUsedAt)}</td>
                    <td>
                      <button
                        class="link danger"
                        onClick=${() => revoke(k.id)}
                        aria-label=${t("keys.revokeLabel", { name: k.name })}
                      >
                        ${t("keys.revoke")}
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`}<//
    >
    <form onSubmit=${add} class="filters" aria-label=${t("keys.makeLabel")}>
      <${Field} id="k-name" label=${t("msg.col.name")}
        ><input id="k-name" required value=${name} onInput=${(e) => setName(e.target.value)}
      /><//>
      <${Field} id="k-access" label=${t("keys.may")}
        ><select id="k-access" value=${access} onChange=${(e) => setAccess(e.target.value)}>
          ${Object.keys(KEY_ACCESS).map((k) => html`<option key=${k} value=${k}>${t(`keys.access.${k}`)}</option>`)}
        </select><//
      >
      <button type="submit">${t("keys.make")}</button>
    </form>
    <${Notice} notice=${notice} />
  </section>`;
}

export function SettingsPage() {
  const state = useData(() => api("/api/v1/settings"));
  const admin = can("admin");
  return html` <h1 tabindex="-1">${t("nav.settings")}</h1>
    ${!admin && html`<p class="notice" id="viewer-note" role="status">${t("set.adminsOnly")}</p>`}
    <${Loading} state=${state}
      >${(d) =>
        html` <p class="muted">duegate ${d.version ?? ""}. ${t("set.intro")}</p>
          ${d.editable ? html`<${EditableSettings} view=${d.editable} admin=${admin} onSaved=${() => state.reload()} extras=${{ email: admin && html`<${TestMail} />` }} />` : html`<${ConfigSection} title="MQTT" value=${d.config.mqtt} /><${ConfigSection} title=${t("set.sending")} value=${d.config.outbox} /><${ConfigSection} title=${t("set.email")} value=${d.config.email} />`}
          <${ConfigSection} title="HTTP" value=${d.config.http} />
          ${admin && html`<${MqttBroker} /><${Users} /><${ApiKeys} />`}`}
    <//>`;
}
