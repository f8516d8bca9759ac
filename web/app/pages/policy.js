// Policy and templates: edit the steps of each sequence (days, time, template, conditions and the
// mark set after sending) and the texts of each template, with a live preview (rendered text,
// where each part breaks, encoding, parts, cost) and the server's validation errors shown beside
// the field they concern.
import { html, useState, useEffect, useData, Loading, api, can, Field, Notice, count } from "../lib.js";
import { t } from "../i18n/index.js";

function Preview({ template, locale }) {
  const [p, setP] = useState(null);
  useEffect(() => {
    const timer = setTimeout(
      () =>
        api("/api/v1/preview", { method: "POST", body: { template, locale } }).then(setP, (e) =>
          setP({ errors: [{ message: e.message }] }),
        ),
      250,
    );
    return () => clearTimeout(timer);
  }, [template, locale]);
  if (!p) return html`<div class="preview muted" aria-live="polite">${t("pol.previewing")}</div>`;
  return html`<div class="preview" id="template-preview" aria-live="polite">
    ${p.errors?.length ? html`<p class="error" id="preview-error">${p.errors.map((e) => e.message).join("; ")}</p>` : ""}
    ${
      p.text !== null &&
      p.text !== undefined &&
      html` <p class="sms-bubble" id="preview-text">${p.text}</p>
        ${
          p.partTexts?.length > 1 &&
          html`<h4>${t("pol.breaks")}</h4>
            <ol class="parts" id="preview-parts">
              ${p.partTexts.map(
                (part, i) =>
                  html`<li key=${i}>
                    <small class="muted">${t("pol.partOf", { n: i + 1, of: p.partTexts.length })}</small>
                    <p class="sms-bubble">${part}</p>
                  </li>`,
              )}
            </ol>`
        }
        <p class="muted" id="preview-measure">
          ${t(p.parts === 1 ? "pol.measure.one" : "pol.measure", { encoding: p.encoding.toUpperCase(), parts: count(p.parts), units: count(p.units), cost: count(p.cost, 2) })}${p.optOutAppended ? ` · ${t("pol.optOutAdded")}` : ""}
        </p>`
    }
    ${
      p.email &&
      html`<div id="email-preview">
        <h3>${t("pol.asEmail")}</h3>
        <p><strong>${t("pol.subject")}</strong> <span id="email-preview-subject">${p.email.subject}</span></p>
        <pre class="sms-text" id="email-preview-text">${p.email.text}</pre>
        <iframe
          id="email-preview-html"
          title=${t("pol.emailHtml")}
          class="email-frame"
          sandbox=""
          srcdoc=${p.email.html}
        ></iframe>
      </div>`
    }
  </div>`;
}

function StepsEditor({ policy, setPolicy, fieldError, editable }) {
  const templates = Object.keys(policy.templates);
  const setStep = (seq, i, key, value) => {
    const next = structuredClone(policy);
    if (value === undefined) delete next.sequences[seq].steps[i][key];
    else next.sequences[seq].steps[i][key] = value;
    setPolicy(next);
  };
  // A condition left empty is no condition: the key leaves the step, and an empty conditions object goes too.
  const setCondition = (seq, i, key, value) => {
    const next = structuredClone(policy);
    const step = next.sequences[seq].steps[i];
    const conditions = { ...(step.conditions ?? {}) };
    if (value === undefined) delete conditions[key];
    else conditions[key] = value;
    if (Object.keys(conditions).length === 0) delete step.conditions;
    else step.conditions = conditions;
    setPolicy(next);
  };
  const number = (v) => (v === "" ? undefined : Number(v));
  const list = (v) => {
    const items = v
      .split(",")
      .map((x) => x.trim())
      .filter(Boolean);
    return items.length ? items : undefined;
  };
  return Object.entries(policy.sequences).map(
    ([name, seq]) =>
      html`<section key=${name} class="panel" aria-labelledby=${`seq-${name}`}>
        <h2 id=${`seq-${name}`}>
          ${t("pol.sequence", { name })}${name === policy.defaultSequence ? html` <span class="badge">${t("pol.default")}</span>` : ""}
        </h2>
        ${seq.description && html`<p class="muted policy-description">${seq.description}</p>`}
        <div class="table-wrap">
          <table class="cards steps">
            <thead>
              <tr>
                <th scope="col">${t("cal.col.step")}</th>
                <th scope="col">${t("pol.col.days")}</th>
                <th scope="col">${t("cal.col.time")}</th>
                <th scope="col">${t("pol.col.template")}</th>
                <th scope="col">${t("pol.col.minAmount")}</th>
                <th scope="col">${t("pol.col.minDays")}</th>
                <th scope="col">${t("pol.col.segments")}</th>
                <th scope="col">${t("pol.col.tags")}</th>
                <th scope="col">${t("pol.col.mark")}</th>
              </tr>
            </thead>
            <tbody>
              ${seq.steps.map((st, i) => {
                const base = `/sequences/${name}/steps/${i}`;
                const err = fieldError(base);
                return html`<tr key=${st.id}>
                  <th scope="row">${st.id}${err && html`<small class="error" role="alert"> ${err}</small>`}</th>
                  <td data-label=${t("pol.col.days")}>
                    <label class="sr-only" for=${`${base}/offsetDays`}>${t("pol.label.days", { step: st.id })}</label>
                    <input
                      id=${`${base}/offsetDays`}
                      type="number"
                      min="-60"
                      max="365"
                      disabled=${!editable}
                      value=${st.offsetDays}
                      onInput=${(e) => setStep(name, i, "offsetDays", Number(e.target.value))}
                    />
                  </td>
                  <td data-label=${t("cal.col.time")}>
                    <label class="sr-only" for=${`${base}/time`}>${t("pol.label.time", { step: st.id })}</label>
                    <input
                      id=${`${base}/time`}
                      type="time"
                      disabled=${!editable}
                      value=${st.time ?? ""}
                      onInput=${(e) => setStep(name, i, "time", e.target.value || undefined)}
                    />
                  </td>
                  <td data-label=${t("pol.col.template")}>
                    <label class="sr-only" for=${`${base}/template`}>${t("pol.label.template", { step: st.id })}</label>
                    <select
                      id=${`${base}/template`}
                      disabled=${!editable}
                      value=${st.template}
                      onChange=${(e) => setStep(name, i, "template", e.target.value)}
                    >
                      ${templates.map((id) => html`<option key=${id}>${id}</option>`)}
                    </select>
                  </td>
                  <td data-label=${t("pol.col.minAmount")}>
                    <label class="sr-only" for=${`${base}/conditions/minAmountDue`}
                      >${t("pol.label.minAmount", { step: st.id })}</label
                    >
                    <input
                      id=${`${base}/conditions/minAmountDue`}
                      type="number"
                      min="0"
                      placeholder=${t("pol.any")}
                      disabled=${!editable}
                      value=${st.conditions?.minAmountDue ?? ""}
                      onInput=${(e) => setCondition(name, i, "minAmountDue", number(e.target.value))}
                    />
                  </td>
                  <td data-label=${t("pol.col.minDays")}>
                    <label class="sr-only" for=${`${base}/conditions/minDaysOverdue`}
                      >${t("pol.label.minDays", { step: st.id })}</label
                    >
                    <input
                      id=${`${base}/conditions/minDaysOverdue`}
                      type="number"
                      min="0"
                      placeholder=${t("pol.any")}
                      disabled=${!editable}
                      value=${st.conditions?.minDaysOverdue ?? ""}
                      onInput=${(e) => setCondition(name, i, "minDaysOverdue", number(e.target.value))}
                    />
                  </td>
                  <td data-label=${t("pol.col.segments")}>
                    <label class="sr-only" for=${`${base}/conditions/segments`}
                      >${t("pol.label.segments", { step: st.id })}</label
                    >
                    <input
                      id=${`${base}/conditions/segments`}
                      placeholder=${t("pol.all")}
                      disabled=${!editable}
                      value=${(st.conditions?.segments ?? []).join(", ")}
                      onChange=${(e) => setCondition(name, i, "segments", list(e.target.value))}
                    />
                  </td>
                  <td data-label=${t("pol.col.tags")}>
                    <label class="sr-only" for=${`${base}/conditions/tags`}
                      >${t("pol.label.tags", { step: st.id })}</label
                    >
                    <input
                      id=${`${base}/conditions/tags`}
                      placeholder=${t("pol.any")}
                      disabled=${!editable}
                      value=${(st.conditions?.tags ?? []).join(", ")}
                      onChange=${(e) => setCondition(name, i, "tags", list(e.target.value))}
                    />
                  </td>
                  <td data-label=${t("pol.col.mark")}>
                    <label class="sr-only" for=${`${base}/mark`}>${t("pol.label.mark", { step: st.id })}</label>
                    <select
                      id=${`${base}/mark`}
                      disabled=${!editable}
                      value=${st.mark ?? ""}
                      onChange=${(e) => setStep(name, i, "mark", e.target.value || undefined)}
                    >
                      <option value="">${t("pol.mark.none")}</option>
                      <option value="disconnect">${t("today.mark.disconnect")}</option>
                      <option value="handoff">${t("today.mark.handoff")}</option>
                    </select>
                  </td>
                </tr>`;
              })}
            </tbody>
          </table>
        </div>
      </section>`,
  );
}

export function PolicyPage() {
  const state = useData(() => api("/api/v1/policy"));
  const [policy, setPolicy] = useState(null);
  const [selected, setSelected] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const editable = can("policy");

  useEffect(() => {
    if (!state.data) return;
    setPolicy(structuredClone(state.data));
    const first = Object.keys(state.data.templates)[0];
    if (first)
      setSelected({
        id: first,
        locale:
          state.data.fallbackLocale in state.data.templates[first]
            ? state.data.fallbackLocale
            : Object.keys(state.data.templates[first])[0],
      });
  }, [state.data]);

  const fieldError = (path) =>
    error && (error.field === path || error.field?.startsWith(`${path}/`)) ? error.message : null;
  const save = async () => {
    setError(null);
    setNotice(null);
    try {
      const v = await api("/api/v1/policy", { method: "PUT", body: policy });
      setNotice({ kind: "ok", text: t("pol.saved", { version: v?.version ?? "?" }) });
    } catch (e) {
      setError({ field: e.field ?? "", message: e.message });
      if (!e.field) setNotice({ kind: "error", text: e.message });
    }
  };

  const text = policy && selected ? (policy.templates[selected.id]?.[selected.locale] ?? "") : "";
  const setText = (value) => {
    const next = structuredClone(policy);
    next.templates[selected.id][selected.locale] = value;
    setPolicy(next);
  };
  const textField = selected ? `/templates/${selected.id}/${selected.locale}` : "";

  return html` <h1 tabindex="-1">${t("pol.title")}</h1>
    <${Loading} state=${state}
      >${() =>
        policy &&
        html` <p class="muted">
            ${t("pol.name", { name: policy.name })} ${editable ? t("pol.editable") : t("pol.readOnly")}
          </p>
          <section class="panel" aria-labelledby="tpl-h">
            <h2 id="tpl-h">${t("pol.templates")}</h2>
            <div class="template-editor">
              <div>
                <${Field} id="tpl-pick" label=${t("pol.pick")}>
                  <select
                    id="tpl-pick"
                    value=${selected ? `${selected.id}|${selected.locale}` : ""}
                    onChange=${(e) => {
                      const [id, locale] = e.target.value.split("|");
                      setSelected({ id, locale });
                    }}
                  >
                    ${Object.entries(policy.templates).flatMap(([id, texts]) => Object.keys(texts).map((l) => html`<option key=${`${id}|${l}`} value=${`${id}|${l}`}>${id} (${l})</option>`))}
                  </select>
                <//>
                <${Field}
                  id="tpl-text"
                  label=${t("msg.col.text")}
                  error=${fieldError(textField)}
                  hint=${t("pol.variables")}
                >
                  <textarea
                    id="tpl-text"
                    rows="6"
                    disabled=${!editable}
                    value=${text}
                    onInput=${(e) => setText(e.target.value)}
                    aria-invalid=${Boolean(fieldError(textField))}
                  ></textarea>
                <//>
              </div>
              <div>
                <h3>${t("pol.preview")}</h3>
                ${selected && html`<${Preview} template=${text} locale=${selected.locale} />`}
              </div>
            </div>
          </section>
          <${StepsEditor} policy=${policy} setPolicy=${setPolicy} fieldError=${fieldError} editable=${editable} />
          ${error && !fieldError(textField) && error.field && html`<p class="error" role="alert">${error.message}</p>`}
          <${Notice} notice=${notice} />
          ${editable && html`<div class="actions sticky"><button id="policy-save" onClick=${save}>${t("pol.save")}</button> <button type="button" class="link" onClick=${() => setPolicy(structuredClone(state.data))}>${t("pol.discard")}</button></div>`}`}
    <//>`;
}
