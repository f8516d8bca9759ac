// Settings: how the appliance is set up, the settings administrators may change here (saved
// to <dataDir>/settings.yaml, in force at once where possible), users and API keys.
import { html, useState, useData, Loading, api, can, when, Field, Notice } from "../lib.js";
import { EditableSettings } from "./settings-form.js";
import { MqttBroker } from "./settings-mqtt.js";
import { TestMail } from "./settings-email.js";

/** Nested settings as dotted keys ("sendWindow.start"), the way the configuration file names them. */
function flatten(value, prefix = "", out = []) {
  for (const [k, v] of Object.entries(value)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) flatten(v, key, out);
    else out.push([key, Array.isArray(v) ? (v.length ? v.join(", ") : "(none)") : v === "" ? "(empty)" : String(v)]);
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
      setNotice({ kind: "ok", text: `User ${form.name} created.` });
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
  return html`<section class="panel" aria-labelledby="users-h">
    <h2 id="users-h">Users</h2>
    <${Loading} state=${list}
      >${(d) =>
        html`<div class="table-wrap">
          <table id="users-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Password changed</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              ${d.items.map(
                (u) =>
                  html`<tr key=${u.name}>
                    <td>${u.name}</td>
                    <td>${u.role}</td>
                    <td>${when(u.passwordChangedAt)}</td>
                    <td>
                      <button class="link danger" onClick=${() => remove(u.name)} aria-label=${`Delete user ${u.name}`}>
                        Delete
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`}<//
    >
    <form onSubmit=${add} class="filters" aria-label="Add a user" id="add-user">
      <${Field} id="u-name" label="Name" error=${errors.name}
        ><input
          id="u-name"
          required
          autocomplete="off"
          value=${form.name}
          onInput=${(e) => setForm({ ...form, name: e.target.value })}
      /><//>
      <${Field} id="u-role" label="Role" error=${errors.role}
        ><select id="u-role" value=${form.role} onChange=${(e) => setForm({ ...form, role: e.target.value })}>
          <option value="viewer">viewer (looks)</option>
          <option value="clerk">clerk (works the accounts)</option>
          <option value="admin">admin (everything)</option>
        </select><//
      >
      <${Field} id="u-password" label="Password" error=${errors.password} hint="At least 10 characters."
        ><input
          id="u-password"
          type="password"
          autocomplete="new-password"
          required
          value=${form.password}
          onInput=${(e) => setForm({ ...form, password: e.target.value })}
      /><//>
      <button type="submit">Add user</button>
    </form>
    <${Notice} notice=${notice} />
  </section>`;
}

/** What a key may do, as offered in the form; the scopes are explained in docs/http.md (Keys). */
const KEY_ACCESS = {
  read: { label: "read data", scopes: ["read"] },
  desk: { label: "read data and do a clerk's work (reply, promise, pause, opt-outs)", scopes: ["read", "desk"] },
  write: { label: "read and change data, send (accounting server)", scopes: ["read", "write"] },
  policy: { label: "read data and change the dunning policy", scopes: ["read", "policy"] },
  metrics: { label: "read /metrics only (Prometheus)", scopes: ["metrics"] },
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
      const r = await api("/api/v1/api-keys", { method: "POST", body: { name, scopes: KEY_ACCESS[access].scopes } });
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
    <h2 id="keys-h">API keys</h2>
    <p class="muted">For machines (the accounting server): send as <code>${"Authorization: Bearer <key>"}</code>.</p>
    ${
      made &&
      html`<div class="ok" role="status">
        <p>Copy this key now; it is shown only once:</p>
        <code class="secret" id="new-key">${made}</code>
      </div>`
    }
    <${Loading} state=${list}
      >${(d) =>
        html`<div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Key starts</th>
                <th scope="col">Scopes</th>
                <th scope="col">Last used</th>
                <th scope="col"><span class="sr-only">Actions</span></th>
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
                      <button class="link danger" onClick=${() => revoke(k.id)} aria-label=${`Revoke key ${k.name}`}>
                        Revoke
                      </button>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`}<//
    >
    <form onSubmit=${add} class="filters" aria-label="Make an API key">
      <${Field} id="k-name" label="Name"
        ><input id="k-name" required value=${name} onInput=${(e) => setName(e.target.value)}
      /><//>
      <${Field} id="k-access" label="May"
        ><select id="k-access" value=${access} onChange=${(e) => setAccess(e.target.value)}>
          ${Object.entries(KEY_ACCESS).map(([k, v]) => html`<option key=${k} value=${k}>${v.label}</option>`)}
        </select><//
      >
      <button type="submit">Make key</button>
    </form>
    <${Notice} notice=${notice} />
  </section>`;
}

export function SettingsPage() {
  const state = useData(() => api("/api/v1/settings"));
  const admin = can("admin");
  return html` <h1 tabindex="-1">Settings</h1>
    ${!admin && html`<p class="notice" id="viewer-note" role="status">Only administrators can change settings, users and API keys.</p>`}
    <${Loading} state=${state}
      >${(d) =>
        html` <p class="muted">
            duegate ${d.version ?? ""}. Changes made here are saved on the appliance and override the configuration
            file; environment variables and command-line flags override them.
          </p>
          ${d.editable ? html`<${EditableSettings} view=${d.editable} admin=${admin} onSaved=${() => state.reload()} extras=${{ email: admin && html`<${TestMail} />` }} />` : html`<${ConfigSection} title="MQTT" value=${d.config.mqtt} /><${ConfigSection} title="Sending (windows, pacing, limits)" value=${d.config.outbox} /><${ConfigSection} title="E-mail" value=${d.config.email} />`}
          <${ConfigSection} title="HTTP" value=${d.config.http} />
          ${admin && html`<${MqttBroker} /><${Users} /><${ApiKeys} />`}`}
    <//>`;
}
