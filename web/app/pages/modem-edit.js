// The modem pool edited by an administrator on the Modem page: add a modem (its port chosen
// from the detected serial ports, the stable /dev/serial/by-id name first, or typed), change or
// remove one. The server checks each entry with the config file's schema and answers beside
// the field (POST /api/v1/modems, PUT and DELETE /api/v1/modems/:id); the PIN is write-only.
import { html, useState, api, Field, Notice } from "../lib.js";
import { t } from "../i18n/index.js";

const OTHER = "__other";
const modemPath = (id, what = "") => `/api/v1/modems/${encodeURIComponent(id)}${what}`;

/**
 * The ports to choose from: each detected port by its stable name when it has one (not those
 * another modem drives already: two drivers cannot share a port), and the simulator.
 */
function portChoices(serialPorts, taken) {
  const free = serialPorts.filter((p) => !taken.has(p.path) && !(p.byId && taken.has(p.byId)));
  const ports = free.map((p) => ({
    value: p.byId ?? p.path,
    label: `${p.byId ?? p.path}${p.manufacturer ? ` (${p.manufacturer})` : ""}`,
  }));
  return [...ports, { value: "sim", label: t("modemEdit.simulator") }];
}

/** The form's text fields from an entry (GET /api/v1/modems/:id/settings), or empty for a new modem. */
function fieldsOf(entry) {
  const s = (v) => (v === undefined || v === null ? "" : String(v));
  return {
    id: s(entry?.id),
    port: s(entry?.port),
    profile: s(entry?.profile),
    pin: "",
    removePin: false,
    smsc: s(entry?.smsc),
    number: s(entry?.number),
    partsPerMinute: s(entry?.limits?.partsPerMinute),
    partsPerDay: s(entry?.limits?.partsPerDay),
    partsPerMonth: s(entry?.limits?.partsPerMonth),
    costPerPart: s(entry?.costPerPart),
    ussd: s(entry?.balance?.ussd),
  };
}

/** A number as typed, or the text itself so that the server names what is wrong with it. */
const numberOf = (text) => (text.trim() === "" ? undefined : Number.isNaN(Number(text)) ? text : Number(text));

/**
 * The entry the server gets: the settings the form does not show (routes, USB power cycle) kept
 * from the entry as it was; an empty field left out so that the `modem:` section's value applies.
 */
function entryOf(f, entry) {
  const { pinSet: _pinSet, ...kept } = entry ?? {};
  const out = { ...kept, id: f.id.trim(), port: f.port.trim() };
  const text = { profile: f.profile, smsc: f.smsc.trim(), number: f.number.trim() };
  for (const [k, v] of Object.entries(text)) {
    if (v) out[k] = v;
    else delete out[k];
  }
  if (f.removePin) out.pin = "";
  else if (f.pin) out.pin = f.pin;
  else delete out.pin; // left out: the server keeps the PIN the modem has
  const limits = {};
  for (const k of ["partsPerMinute", "partsPerDay", "partsPerMonth"]) {
    const n = numberOf(f[k]);
    if (n !== undefined) limits[k] = n;
  }
  out.limits = limits;
  const cost = numberOf(f.costPerPart);
  if (cost !== undefined) out.costPerPart = cost;
  else delete out.costPerPart;
  if (f.ussd.trim()) out.balance = { ...(entry?.balance ?? {}), ussd: f.ussd.trim() };
  else delete out.balance;
  return out;
}

/** What the pool did, in words: "Added sim4.", or why a restart is needed. */
export function changesInWords(r) {
  const said = [];
  if (r.added.length) said.push(t("modemEdit.added", { ids: r.added.join(", ") }));
  if (r.replaced.length) said.push(t("modemEdit.replaced", { ids: r.replaced.join(", ") }));
  if (r.removed.length) said.push(t("modemEdit.removed", { ids: r.removed.join(", ") }));
  if (r.restartRequired) said.push(t("modemEdit.restart", { why: r.restartRequired }));
  return said.length ? said.join(" ") : t("modemEdit.unchanged");
}

/** Add (entry null) or change one modem. */
export function ModemForm({ entry, serialPorts, profiles, taken, onSaved, onCancel }) {
  const editing = Boolean(entry);
  const choices = portChoices(serialPorts, taken);
  const [f, setF] = useState(() => fieldsOf(entry));
  const [portChoice, setPortChoice] = useState(() =>
    !entry ? (choices[0]?.value ?? "sim") : choices.some((c) => c.value === entry.port) ? entry.port : OTHER,
  );
  const [errors, setErrors] = useState({});
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) =>
    setF((x) => ({ ...x, [k]: e.target.type === "checkbox" ? e.target.checked : e.target.value }));
  const port = portChoice === OTHER ? f.port : portChoice;

  const save = async (e) => {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    setNotice(null);
    try {
      const body = entryOf({ ...f, port }, entry);
      const r = editing
        ? await api(modemPath(entry.id), { method: "PUT", body })
        : await api("/api/v1/modems", { method: "POST", body });
      onSaved(changesInWords(r));
    } catch (err) {
      const byField = {};
      for (const p of err.fields ?? []) byField[p.field] = p.message;
      setErrors(byField);
      const shown = new Set(Object.keys(FIELD_IDS).map((k) => SERVER_FIELDS[k] ?? k));
      const beside = Object.keys(byField).some((k) => shown.has(k));
      setNotice({ kind: "error", text: beside ? t("modemEdit.fixFields") : err.message });
    } finally {
      setBusy(false);
    }
  };

  const input = (key, props = {}) => {
    const id = FIELD_IDS[key];
    const error = errors[SERVER_FIELDS[key] ?? key];
    return html`<${Field} id=${id} label=${t(`modemEdit.${key}`)} hint=${props.hint} error=${error}>
      <input
        id=${id}
        aria-invalid=${error ? "true" : undefined}
        aria-describedby=${[props.hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(" ") || undefined}
        type=${props.type ?? "text"}
        inputmode=${props.inputmode}
        step=${props.step}
        value=${f[key]}
        disabled=${props.disabled}
        autocomplete=${props.autocomplete ?? "off"}
        placeholder=${props.placeholder}
        onInput=${set(key)}
      />
    <//>`;
  };

  return html`<form id="modem-form" class="panel modem-form" onSubmit=${save} aria-labelledby="modem-form-h">
    <h2 id="modem-form-h">${editing ? t("modemEdit.editTitle", { id: entry.id }) : t("modemEdit.addTitle")}</h2>
    <div class="form-grid">
      ${input("id", { disabled: editing, hint: t("modemEdit.idHint") })}
      <${Field} id="modem-port-choice" label=${t("modemEdit.port")} hint=${t("modemEdit.portHint")} error=${errors.port}>
        <select id="modem-port-choice" value=${portChoice} onChange=${(e) => setPortChoice(e.target.value)}>
          ${choices.map((c) => html`<option key=${c.value} value=${c.value}>${c.label}</option>`)}
          <option value=${OTHER}>${t("modemEdit.portOther")}</option>
        </select>
      <//>
      ${portChoice === OTHER && input("port", { placeholder: "/dev/serial/by-id/… · tcp://host:port", hint: t("modemEdit.portTyped") })}
      <${Field} id="modem-profile" label=${t("modemEdit.profile")} error=${errors.profile}>
        <select id="modem-profile" value=${f.profile} onChange=${set("profile")}>
          <option value="">${t("modemEdit.profileDefault")}</option>
          ${[...new Set([...profiles, ...(f.profile ? [f.profile] : [])])].map(
            (p) => html`<option key=${p} value=${p}>${p}</option>`,
          )}
        </select>
      <//>
      ${input("pin", {
        type: "password",
        autocomplete: "new-password",
        inputmode: "numeric",
        hint: entry?.pinSet ? t("modemEdit.pinKept") : t("modemEdit.pinHint"),
        placeholder: entry?.pinSet ? "••••" : "",
      })}
      ${
        entry?.pinSet &&
        html`<label class="check"
          ><input id="modem-remove-pin" type="checkbox" checked=${f.removePin} onChange=${set("removePin")} />
          ${t("modemEdit.removePin")}</label
        >`
      }
      ${input("smsc", { hint: t("modemEdit.smscHint") })} ${input("number", { hint: t("modemEdit.numberHint") })}
      ${input("partsPerMinute", { type: "number", hint: t("modemEdit.limitHint") })}
      ${input("partsPerDay", { type: "number", hint: t("modemEdit.limitHint") })}
      ${input("partsPerMonth", { type: "number", hint: t("modemEdit.limitHint") })}
      ${input("costPerPart", { type: "number", step: "0.0001", hint: t("modemEdit.costHint") })}
      ${input("ussd", { hint: t("modemEdit.ussdHint") })}
    </div>
    <${Notice} notice=${notice} />
    <div class="actions">
      <button type="submit" id="modem-save" disabled=${busy}>${editing ? t("modemEdit.save") : t("modemEdit.add")}</button>
      <button type="button" class="link" onClick=${onCancel}>${t("modemEdit.cancel")}</button>
    </div>
  </form>`;
}

/** The entry's keys the server names in a refusal, where they differ from the form's. */
const SERVER_FIELDS = {
  partsPerMinute: "limits.partsPerMinute",
  partsPerDay: "limits.partsPerDay",
  partsPerMonth: "limits.partsPerMonth",
  ussd: "balance.ussd",
};

const FIELD_IDS = {
  id: "modem-id",
  port: "modem-port",
  profile: "modem-profile",
  pin: "modem-pin",
  smsc: "modem-smsc",
  number: "modem-number",
  partsPerMinute: "modem-per-minute",
  partsPerDay: "modem-per-day",
  partsPerMonth: "modem-per-month",
  costPerPart: "modem-cost",
  ussd: "modem-ussd",
};

/**
 * The administrator's part of the Modem page: each modem with Change and Remove, and Add.
 * Removing asks first and says where the modem's queued work goes; the last modem cannot go.
 */
export function PoolEditor({ modems, configured, serialPorts, profiles = [], onChanged }) {
  const [form, setForm] = useState(null); // null | { entry: null } (add) | { entry } (change)
  const [notice, setNotice] = useState(null);
  const done = (text) => {
    setForm(null);
    setNotice({ kind: "ok", text });
    onChanged();
  };
  const edit = async (id) => {
    setNotice(null);
    try {
      setForm({ entry: await api(modemPath(id, "/settings")) });
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  const remove = async (id) => {
    if (!window.confirm(t("modemEdit.confirmRemove", { id }))) return;
    setNotice(null);
    try {
      done(changesInWords(await api(modemPath(id), { method: "DELETE" })));
    } catch (err) {
      setNotice({ kind: "error", text: err.message });
    }
  };
  // The list as configured: a modem saved while a restart is pending is there already (and says so).
  const entries = configured?.entries ?? modems;
  const running = new Set(modems.map((m) => m.id));
  const last = entries.length <= 1;
  return html`<section class="panel" aria-labelledby="pool-edit-h" id="pool-editor">
      <h2 id="pool-edit-h">${t("modemEdit.title")}</h2>
      <p class="muted">${t("modemEdit.intro")}</p>
      <ul class="pool-entries">
        ${entries.map(
          (m) =>
            html`<li key=${m.id} data-modem=${m.id}>
              <strong>${m.id}</strong> <code>${m.port === "sim" ? t("modems.simulator") : m.port}</code>
              ${!running.has(m.id) && html`<span class="badge">${t("modemEdit.afterRestart")}</span>`}
              <span class="actions">
                <button type="button" class="link" data-action="edit" onClick=${() => edit(m.id)}>
                  ${t("modemEdit.change")}
                </button>
                <button
                  type="button"
                  class="link danger"
                  data-action="remove"
                  disabled=${last}
                  title=${last ? t("modemEdit.lastOne") : ""}
                  onClick=${() => remove(m.id)}
                >
                  ${t("modemEdit.remove")}
                </button>
              </span>
            </li>`,
        )}
      </ul>
      ${last && html`<p class="muted small">${t("modemEdit.lastOne")}</p>`}
      <${Notice} notice=${notice} />
      ${
        !form &&
        html`<button type="button" id="modem-add" onClick=${() => (setNotice(null), setForm({ entry: null }))}>
          ${t("modemEdit.addTitle")}
        </button>`
      }
    </section>
    ${
      form &&
      html`<${ModemForm}
        key=${form.entry?.id ?? "new"}
        entry=${form.entry}
        serialPorts=${serialPorts}
        profiles=${profiles}
        taken=${new Set(entries.filter((e) => e.id !== form.entry?.id).map((e) => e.port))}
        onSaved=${done}
        onCancel=${() => setForm(null)}
      />`
    }`;
}
