// The settings an administrator may change, one form per section, drawn from the facts the
// server sends with each key (src/config/setting-facts.ts): label, hint, unit, the valid range
// in words, the kind of input, secret or not, restart or not. Refusals (the browser's own and
// the server's) are shown beside their field in the same words. Secrets are never shown: only
// "set" / "not set"; an empty secret input leaves the secret as it is.
//
// Labels, hints and section titles are English in the facts (one truth with docs/configuration.md)
// and translated here through t("setting.<key>.label") and friends, the English text being the
// fallback: a language file may translate them key by key, and a key it lacks still reads well.
import { html, useState, api, Field, Notice } from "../lib.js";
import { t } from "../i18n/index.js";

/** The text of key in the user's language, else the English words given ({name} filled from vars). */
export function tr(key, english, vars = {}) {
  const text = t(key, vars);
  if (text !== key) return text;
  return english.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** Whether the valid values are worth a line under the field: a switch, a choice or free text say it themselves. */
const saysRange = (f) => !f.secret && (Boolean(f.format) || !["switch", "choice", "text"].includes(f.kind));

const idOf = (key) => `set-${key.replace(/\./g, "-")}`;
const labelOf = (f) => tr(`setting.${f.key}.label`, f.label);
const hintOf = (f) => (f.hint ? tr(`setting.${f.key}.hint`, f.hint) : "");

/** The valid values in words, in the user's language (the server's own words are English: src/config/setting-words.ts). */
function expectedOf(f) {
  if (f.format) return tr(`settings.format.${f.format}`, f.format);
  if (f.kind === "switch") return tr("settings.range.switch", "on or off");
  if (f.kind === "choice")
    return tr("settings.range.choice", "one of: {choices}", {
      choices: (f.choices ?? []).map((c) => tr(`setting.${f.key}.choice.${c.value}`, c.label)).join(", "),
    });
  if (f.kind === "whole-number" || f.kind === "number") {
    const unit = f.unit ? tr(`settings.unit.${f.unit}`, f.unit) : "";
    const what =
      f.kind === "whole-number"
        ? tr("settings.range.whole", "a whole number")
        : tr("settings.range.number", "a number");
    if (f.minimum !== undefined && f.maximum !== undefined)
      return tr("settings.range.between", "{what} between {min} and {max}", {
        what,
        min: f.minimum,
        max: unit ? `${f.maximum} ${unit}` : f.maximum,
      });
    const of = unit ? tr("settings.range.of", "{what} of {unit}", { what, unit }) : what;
    if (f.minimum !== undefined) return tr("settings.range.min", "{what}, {min} or more", { what: of, min: f.minimum });
    if (f.maximum !== undefined) return tr("settings.range.max", "{what}, {max} or less", { what: of, max: f.maximum });
    return of;
  }
  if (f.kind === "list" || f.kind === "number-list") return tr("settings.range.list", "a list separated by commas");
  if (f.kind === "json") return "JSON";
  return f.expected;
}

/** The value as the input shows it. */
function shown(field, value) {
  if (field.kind === "switch") return Boolean(value);
  if (field.kind === "list" || field.kind === "number-list") return (value ?? []).join(", ");
  if (field.kind === "json") return JSON.stringify(value ?? {});
  return value === undefined || value === null ? "" : String(value);
}

/** The input's text as the value the key takes; throws a message in words, as the server would say it. */
function parsed(field, text) {
  const refuse = () => {
    throw new Error(`${labelOf(field)}: ${JSON.stringify(text)} is not allowed; it must be ${expectedOf(field)}.`);
  };
  switch (field.kind) {
    case "switch":
      return Boolean(text);
    case "whole-number":
    case "number": {
      const n = Number(text);
      if (String(text).trim() === "" || !Number.isFinite(n)) refuse();
      return n;
    }
    case "number-list":
    case "list": {
      const items = String(text)
        .split(",")
        .map((x) => x.trim())
        .filter(Boolean);
      if (field.kind === "list") return items;
      if (items.some((x) => !Number.isFinite(Number(x)))) refuse();
      return items.map(Number);
    }
    case "json":
      try {
        return JSON.parse(text || "{}");
      } catch {
        return refuse();
      }
    case "choice":
      return field.choices.find((c) => String(c.value) === String(text))?.value ?? text;
    default:
      return String(text);
  }
}

function Input({ field, view, value, set, secret, setSecret, disabled, describedBy }) {
  const id = idOf(field.key);
  if (field.secret)
    return html`<input
      id=${id}
      type="password"
      autocomplete="new-password"
      disabled=${disabled}
      aria-describedby=${describedBy}
      placeholder=${view.secrets[field.key] === "set" ? tr("settings.secretSet", "set (type to replace)") : tr("settings.secretNotSet", "not set")}
      value=${secret ?? ""}
      onInput=${(e) => setSecret(e.target.value)}
    />`;
  if (field.kind === "switch")
    return html`<input
      id=${id}
      type="checkbox"
      disabled=${disabled}
      aria-describedby=${describedBy}
      checked=${Boolean(value)}
      onChange=${(e) => set(e.target.checked)}
    />`;
  if (field.kind === "choice")
    return html`<select
      id=${id}
      disabled=${disabled}
      aria-describedby=${describedBy}
      value=${value}
      onChange=${(e) => set(e.target.value)}
    >
      ${field.choices.map(
        (c) =>
          html`<option key=${String(c.value)} value=${String(c.value)}>
            ${tr(`setting.${field.key}.choice.${c.value}`, c.label)}
          </option>`,
      )}
    </select>`;
  if (field.kind === "json")
    return html`<textarea
      id=${id}
      rows="3"
      disabled=${disabled}
      aria-describedby=${describedBy}
      value=${value}
      onInput=${(e) => set(e.target.value)}
    />`;
  const numeric = field.kind === "whole-number" || field.kind === "number";
  return html`<input
    id=${id}
    type=${numeric ? "number" : "text"}
    step=${field.kind === "whole-number" ? "1" : "any"}
    min=${field.minimum}
    max=${field.maximum}
    disabled=${disabled}
    aria-describedby=${describedBy}
    value=${value}
    onInput=${(e) => set(e.target.value)}
  />`;
}

/** One section of settings with its own Save: a change to the relay does not send the send window along. */
function SettingsSection({ section, label, hint, fields, view, admin, onSaved, children }) {
  const initial = () => Object.fromEntries(fields.map((f) => [f.key, shown(f, view.values[f.key])]));
  const [form, setForm] = useState(initial);
  const [secrets, setSecrets] = useState({});
  const [errors, setErrors] = useState({});
  const [notice, setNotice] = useState(null);
  const [busy, setBusy] = useState(false);
  const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
  const names = (keys) => keys.map((k) => (byKey[k] ? labelOf(byKey[k]) : k)).join(", ");

  const save = async (e) => {
    e.preventDefault();
    const values = {};
    const local = {};
    for (const f of fields) {
      if (f.secret) {
        if (secrets[f.key]) values[f.key] = secrets[f.key];
        continue;
      }
      if (String(form[f.key]) === String(shown(f, view.values[f.key]))) continue;
      try {
        values[f.key] = parsed(f, form[f.key]);
      } catch (err) {
        local[f.key] = err.message;
      }
    }
    setErrors(local);
    if (Object.keys(local).length > 0)
      return setNotice({ kind: "error", text: tr("settings.fixFields", "Some fields need attention.") });
    if (Object.keys(values).length === 0)
      return setNotice({ kind: "ok", text: tr("settings.nothingChanged", "Nothing changed.") });
    setBusy(true);
    try {
      const r = await api("/api/v1/settings", { method: "PATCH", body: values });
      setSecrets({});
      const later = r.restartRequired.length
        ? ` ${tr("settings.afterRestart", "Takes effect after a restart: {keys}.", { keys: names(r.restartRequired) })}`
        : "";
      setNotice({
        kind: "ok",
        text: `${tr("settings.saved", "Saved: {keys}.", { keys: names(r.changed) || "–" })}${later}`,
      });
      onSaved?.();
    } catch (err) {
      setErrors(Object.fromEntries((err.fields ?? []).map((f) => [f.field, f.message])));
      const beside = (err.fields ?? []).some((f) => byKey[f.field]);
      setNotice({
        kind: "error",
        text: beside ? tr("settings.notSaved", "Not saved: see the fields marked in red.") : err.message,
      });
    } finally {
      setBusy(false);
    }
  };

  const sectionId = idOf(section);
  return html`<section class="panel" aria-labelledby=${`${sectionId}-h`} id=${sectionId}>
    <h2 id=${`${sectionId}-h`}>${tr(`setting.section.${section}`, label)}</h2>
    ${hint && html`<p class="muted">${tr(`setting.section.${section}.hint`, hint)}</p>`}
    <form onSubmit=${save} aria-label=${tr(`setting.section.${section}`, label)} novalidate>
      <div class="settings-grid">
        ${fields.map((f) => {
          const id = idOf(f.key);
          const locked = view.locked[f.key];
          const hint = [
            hintOf(f),
            saysRange(f) ? `${tr("settings.expected", "Allowed:")} ${expectedOf(f)}.` : "",
            f.restart ? tr("settings.needsRestart", "Takes effect after a restart.") : "",
            locked ? tr("settings.lockedBy", "Set by {name} in the environment.", { name: locked }) : "",
            view.fromPanel.includes(f.key) ? tr("settings.changedHere", "Changed in the panel.") : "",
          ]
            .filter(Boolean)
            .join(" ");
          return html`<${Field} key=${f.key} id=${id} label=${labelOf(f)} error=${errors[f.key]} hint=${hint}
            ><${Input}
              field=${f}
              view=${view}
              value=${form[f.key]}
              set=${(v) => setForm({ ...form, [f.key]: v })}
              secret=${secrets[f.key]}
              setSecret=${(v) => setSecrets({ ...secrets, [f.key]: v })}
              disabled=${!admin || Boolean(locked)}
              describedBy=${[errors[f.key] ? `${id}-error` : "", `${id}-hint`].filter(Boolean).join(" ")}
          /><//>`;
        })}
      </div>
      <${Notice} notice=${notice} />
      ${
        admin &&
        html`<button
          type="submit"
          id=${`save-${sectionId}`}
          disabled=${busy}
          aria-label=${`${tr("settings.save", "Save")}: ${tr(`setting.section.${section}`, label)}`}
        >
          ${tr("settings.save", "Save")}
        </button>`
      }
    </form>
    ${children}
  </section>`;
}

/** Every editable section in the schema's order; `extras[section]` is drawn under its form (the relay test). */
export function EditableSettings({ view, admin, onSaved, extras = {} }) {
  const sections = [];
  for (const f of view.fields) {
    const last = sections[sections.length - 1];
    if (last?.section === f.section) last.fields.push(f);
    else sections.push({ section: f.section, label: f.sectionLabel, hint: f.sectionHint, fields: [f] });
  }
  return html`<div id="settings-form">
    ${sections.map(
      (s) =>
        html`<${SettingsSection} key=${s.section} ...${s} view=${view} admin=${admin} onSaved=${onSaved}
          >${extras[s.section] ?? null}<//
        >`,
    )}
  </div>`;
}
