// Policy and templates: edit the steps of each sequence (days, time, template, conditions and the
// mark set after sending) and the texts of each template, with a live preview (rendered text,
// where each part breaks, encoding, parts, cost) and the server's validation errors shown beside
// the field they concern.
import { html, useState, useEffect, useData, Loading, api, can, Field, Notice } from "../lib.js";

function Preview({ template, locale }) {
  const [p, setP] = useState(null);
  useEffect(() => {
    const t = setTimeout(
      () =>
        api("/api/v1/preview", { method: "POST", body: { template, locale } }).then(setP, (e) =>
          setP({ errors: [{ message: e.message }] }),
        ),
      250,
    );
    return () => clearTimeout(t);
  }, [template, locale]);
  if (!p) return html`<div class="preview muted" aria-live="polite">Preview…</div>`;
  return html`<div class="preview" id="template-preview" aria-live="polite">
    ${p.errors?.length ? html`<p class="error" id="preview-error">${p.errors.map((e) => e.message).join("; ")}</p>` : ""}
    ${
      p.text !== null &&
      p.text !== undefined &&
      html` <p class="sms-bubble" id="preview-text">${p.text}</p>
        ${
          p.partTexts?.length > 1 &&
          html`<h4>Where it breaks</h4>
            <ol class="parts" id="preview-parts">
              ${p.partTexts.map(
                (t, i) =>
                  html`<li key=${i}>
                    <small class="muted">part ${i + 1} of ${p.partTexts.length}</small>
                    <p class="sms-bubble">${t}</p>
                  </li>`,
              )}
            </ol>`
        }
        <p class="muted" id="preview-measure">
          ${p.encoding.toUpperCase()} · ${p.parts} part${p.parts === 1 ? "" : "s"} · ${p.units} units · cost
          ${p.cost.toFixed(2)}${p.optOutAppended ? " · opt-out line added" : ""}
        </p>`
    }
    ${
      p.email &&
      html`<div id="email-preview">
        <h3>As e-mail</h3>
        <p><strong>Subject:</strong> <span id="email-preview-subject">${p.email.subject}</span></p>
        <pre class="sms-text" id="email-preview-text">${p.email.text}</pre>
        <iframe
          id="email-preview-html"
          title="E-mail as HTML"
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
          Sequence “${name}”${name === policy.defaultSequence ? html` <span class="badge">default</span>` : ""}
        </h2>
        ${seq.description && html`<p class="muted">${seq.description}</p>`}
        <div class="table-wrap">
          <table class="cards steps">
            <thead>
              <tr>
                <th scope="col">Step</th>
                <th scope="col">Days from due date</th>
                <th scope="col">Time</th>
                <th scope="col">Template</th>
                <th scope="col">Min. amount due (cents)</th>
                <th scope="col">Min. days overdue</th>
                <th scope="col">Segments</th>
                <th scope="col">Tags</th>
                <th scope="col">Mark after sending</th>
              </tr>
            </thead>
            <tbody>
              ${seq.steps.map((st, i) => {
                const base = `/sequences/${name}/steps/${i}`;
                const err = fieldError(base);
                return html`<tr key=${st.id}>
                  <th scope="row">${st.id}${err && html`<small class="error" role="alert"> ${err}</small>`}</th>
                  <td data-label="Days from due date">
                    <label class="sr-only" for=${`${base}/offsetDays`}>Days from due date for ${st.id}</label>
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
                  <td data-label="Time">
                    <label class="sr-only" for=${`${base}/time`}>Time for ${st.id}</label>
                    <input
                      id=${`${base}/time`}
                      type="time"
                      disabled=${!editable}
                      value=${st.time ?? ""}
                      onInput=${(e) => setStep(name, i, "time", e.target.value || undefined)}
                    />
                  </td>
                  <td data-label="Template">
                    <label class="sr-only" for=${`${base}/template`}>Template for ${st.id}</label>
                    <select
                      id=${`${base}/template`}
                      disabled=${!editable}
                      value=${st.template}
                      onChange=${(e) => setStep(name, i, "template", e.target.value)}
                    >
                      ${templates.map((t) => html`<option key=${t}>${t}</option>`)}
                    </select>
                  </td>
                  <td data-label="Min. amount due (cents)">
                    <label class="sr-only" for=${`${base}/conditions/minAmountDue`}
                      >Minimum amount due for ${st.id}, in cents</label
                    >
                    <input
                      id=${`${base}/conditions/minAmountDue`}
                      type="number"
                      min="0"
                      placeholder="any"
                      disabled=${!editable}
                      value=${st.conditions?.minAmountDue ?? ""}
                      onInput=${(e) => setCondition(name, i, "minAmountDue", number(e.target.value))}
                    />
                  </td>
                  <td data-label="Min. days overdue">
                    <label class="sr-only" for=${`${base}/conditions/minDaysOverdue`}
                      >Minimum days overdue for ${st.id}</label
                    >
                    <input
                      id=${`${base}/conditions/minDaysOverdue`}
                      type="number"
                      min="0"
                      placeholder="any"
                      disabled=${!editable}
                      value=${st.conditions?.minDaysOverdue ?? ""}
                      onInput=${(e) => setCondition(name, i, "minDaysOverdue", number(e.target.value))}
                    />
                  </td>
                  <td data-label="Segments">
                    <label class="sr-only" for=${`${base}/conditions/segments`}
                      >Segments for ${st.id}, comma-separated</label
                    >
                    <input
                      id=${`${base}/conditions/segments`}
                      placeholder="all"
                      disabled=${!editable}
                      value=${(st.conditions?.segments ?? []).join(", ")}
                      onChange=${(e) => setCondition(name, i, "segments", list(e.target.value))}
                    />
                  </td>
                  <td data-label="Tags">
                    <label class="sr-only" for=${`${base}/conditions/tags`}>Tags for ${st.id}, comma-separated</label>
                    <input
                      id=${`${base}/conditions/tags`}
                      placeholder="any"
                      disabled=${!editable}
                      value=${(st.conditions?.tags ?? []).join(", ")}
                      onChange=${(e) => setCondition(name, i, "tags", list(e.target.value))}
                    />
                  </td>
                  <td data-label="Mark after sending">
                    <label class="sr-only" for=${`${base}/mark`}>Mark after ${st.id}</label>
                    <select
                      id=${`${base}/mark`}
                      disabled=${!editable}
                      value=${st.mark ?? ""}
                      onChange=${(e) => setStep(name, i, "mark", e.target.value || undefined)}
                    >
                      <option value="">none</option>
                      <option value="disconnect">disconnection</option>
                      <option value="handoff">hand-off</option>
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
      setNotice({ kind: "ok", text: `Saved as version ${v?.version ?? "?"}.` });
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

  return html` <h1 tabindex="-1">Policy and templates</h1>
    <${Loading} state=${state}
      >${() =>
        policy &&
        html` <p class="muted">
            Policy “${policy.name}”.
            ${editable ? "Changes take effect when saved; every saved version is kept." : "Your role can look but not change."}
          </p>
          <section class="panel" aria-labelledby="tpl-h">
            <h2 id="tpl-h">Templates</h2>
            <div class="template-editor">
              <div>
                <${Field} id="tpl-pick" label="Template and language">
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
                  label="Text"
                  error=${fieldError(textField)}
                  hint="Variables: {{name}}, {{amountDue}}, {{dueDate}}, {{invoiceNumbers}}, {{paymentLink}}, {{company}} …"
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
                <h3>Preview</h3>
                ${selected && html`<${Preview} template=${text} locale=${selected.locale} />`}
              </div>
            </div>
          </section>
          <${StepsEditor} policy=${policy} setPolicy=${setPolicy} fieldError=${fieldError} editable=${editable} />
          ${error && !fieldError(textField) && error.field && html`<p class="error" role="alert">${error.message}</p>`}
          <${Notice} notice=${notice} />
          ${editable && html`<div class="actions sticky"><button id="policy-save" onClick=${save}>Save policy</button> <button type="button" class="link" onClick=${() => setPolicy(structuredClone(state.data))}>Discard changes</button></div>`}`}
    <//>`;
}
