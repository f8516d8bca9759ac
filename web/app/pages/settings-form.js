// The panel-editable settings (src/config/overlay.ts PANEL_SETTINGS) as one form: each key an
// input of its type, the server's refusals shown beside their field, secrets never shown
// (only "set" / "not set"; an empty secret input leaves the secret as it is).
import { html, useState, api, Field, Notice } from "../lib.js";
import { t } from "../i18n/index.js";

/** Key prefix and the key of its title in web/app/i18n. */
const GROUPS = [
  ["outbox.sendWindow.", "set.group.sendWindow"],
  ["outbox.limits.", "set.group.limits"],
  ["outbox.retry.", "set.group.retry"],
  ["dunning.", "set.group.dunning"],
  ["inbound.", "set.group.inbound"],
  ["gateway.", "set.group.gateway"],
  ["mqtt.", "set.group.mqtt"],
];
const CHOICES = { "mqtt.mode": ["embedded", "external", "off"] };
/** Keys with a hint in web/app/i18n ("set.hint.<key>"). */
const HINTS = new Set([
  "outbox.sendWindow.start",
  "outbox.sendWindow.end",
  "outbox.sendWindow.days",
  "outbox.sendWindow.holidays",
  "outbox.sendWindow.holidayRegions",
  "inbound.aliases",
]);

const idOf = (key) => `set-${key.replace(/\./g, "-")}`;
/** The key's label in the user's language; a key without one is named after its last part ("Grace days"). */
const labelOf = (key) => {
  const text = t(`set.key.${key}`);
  if (text !== `set.key.${key}`) return text;
  return key
    .split(".")
    .pop()
    .replace(/([A-Z])/g, " $1")
    .replace(/^./, (c) => c.toUpperCase());
};

/** The value as the input shows it. */
function shown(value) {
  if (Array.isArray(value)) return value.join(", ");
  if (value && typeof value === "object") return JSON.stringify(value);
  return value ?? "";
}

/** The input's text back to the type of the original value; throws with a message for the field. */
function parsed(text, original) {
  if (typeof original === "boolean") return Boolean(text);
  if (typeof original === "number") {
    const n = Number(text);
    if (text === "" || !Number.isFinite(n)) throw new Error(t("set.needNumber"));
    return n;
  }
  if (Array.isArray(original)) {
    const items = String(text)
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    return typeof original[0] === "number" ? items.map(Number) : items;
  }
  if (original && typeof original === "object") {
    try {
      return JSON.parse(text || "{}");
    } catch {
      throw new Error(t("set.notJson"));
    }
  }
  return String(text);
}

export function EditableSettings({ view, admin, onSaved }) {
  const initial = () =>
    Object.fromEntries(view.keys.filter((k) => !(k in view.secrets)).map((k) => [k, shown(view.values[k])]));
  const [form, setForm] = useState(initial);
  const [secrets, setSecrets] = useState({});
  const [errors, setErrors] = useState({});
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);

  const save = async (e) => {
    e.preventDefault();
    const values = {};
    const local = {};
    for (const key of view.keys) {
      if (key in view.secrets) {
        if (secrets[key]) values[key] = secrets[key];
        continue;
      }
      if (String(form[key]) === String(shown(view.values[key]))) continue;
      try {
        values[key] = key === "outbox.sendWindow.days" ? parsed(form[key], [1]) : parsed(form[key], view.values[key]);
      } catch (err) {
        local[key] = err.message;
      }
    }
    setErrors(local);
    if (Object.keys(local).length > 0) return setNotice({ kind: "error", text: t("set.attention") });
    if (Object.keys(values).length === 0) return setNotice({ kind: "ok", text: t("set.nothingChanged") });
    setBusy(true);
    try {
      const r = await api("/api/v1/panel/settings", { method: "PUT", body: { values } });
      setSecrets({});
      const later = r.restartRequired.length ? ` ${t("set.restart", { keys: r.restartRequired.join(", ") })}` : "";
      setNotice({ kind: "ok", text: `${t("set.saved", { keys: r.changed.join(", ") || t("set.noChange") })}${later}` });
      onSaved?.();
    } catch (err) {
      setErrors(Object.fromEntries((err.fields ?? []).map((f) => [f.field, f.message])));
      setNotice({ kind: "error", text: err.fields?.length ? t("set.notSaved") : err.message });
    } finally {
      setBusy(false);
    }
  };

  const input = (key) => {
    const id = idOf(key);
    const locked = view.locked[key];
    const disabled = !admin || Boolean(locked);
    const describedBy = errors[key] ? `${id}-error` : undefined;
    if (key in view.secrets) {
      return html`<input
        id=${id}
        type="password"
        autocomplete="new-password"
        disabled=${disabled}
        aria-describedby=${describedBy}
        placeholder=${view.secrets[key] === "set" ? t("set.secretSet") : t("set.secretNotSet")}
        value=${secrets[key] ?? ""}
        onInput=${(e) => setSecrets({ ...secrets, [key]: e.target.value })}
      />`;
    }
    const value = form[key];
    const set = (v) => setForm({ ...form, [key]: v });
    if (typeof view.values[key] === "boolean")
      return html`<input
        id=${id}
        type="checkbox"
        disabled=${disabled}
        checked=${Boolean(value)}
        onChange=${(e) => set(e.target.checked)}
      />`;
    if (CHOICES[key])
      return html`<select id=${id} disabled=${disabled} value=${value} onChange=${(e) => set(e.target.value)}>
        ${CHOICES[key].map((c) => html`<option value=${c}>${c}</option>`)}
      </select>`;
    if (view.values[key] && typeof view.values[key] === "object" && !Array.isArray(view.values[key]))
      return html`<textarea
        id=${id}
        rows="3"
        disabled=${disabled}
        aria-describedby=${describedBy}
        value=${value}
        onInput=${(e) => set(e.target.value)}
      />`;
    return html`<input
      id=${id}
      type=${typeof view.values[key] === "number" ? "number" : "text"}
      step="any"
      disabled=${disabled}
      aria-describedby=${describedBy}
      value=${value}
      onInput=${(e) => set(e.target.value)}
    />`;
  };

  return html`<form id="settings-form" onSubmit=${save} aria-label=${t("nav.settings")}>
    ${GROUPS.map(([prefix, title]) => {
      const keys = view.keys.filter((k) => k.startsWith(prefix));
      return html`<section class="panel" key=${prefix}>
        <h2>${t(title)}</h2>
        <div class="settings-grid">
          ${keys.map(
            (key) =>
              html`<${Field}
                key=${key}
                id=${idOf(key)}
                label=${labelOf(key)}
                error=${errors[key]}
                hint=${[view.locked[key] ? t("set.locked", { variable: view.locked[key] }) : "", view.fromPanel.includes(key) ? t("set.fromPanel") : "", HINTS.has(key) ? t(`set.hint.${key}`) : ""].filter(Boolean).join(" ") || key}
                >${input(key)}<//
              >`,
          )}
        </div>
      </section>`;
    })}
    <${Notice} notice=${notice} />
    ${admin && html`<button type="submit" id="settings-save" disabled=${busy}>${t("set.save")}</button>`}
  </form>`;
}
