// Send a test SMS: the same path as a reminder (outbox, pacing, send windows), marked "test".
import { html, useState, useEffect, api, can, Field, Notice, navigate } from "../lib.js";

export function SendPage() {
  const [to, setTo] = useState("");
  const [channel, setChannel] = useState("sms");
  const [text, setText] = useState("duegate test message");
  const [preview, setPreview] = useState(null);
  const [notice, setNotice] = useState(null);
  const [errors, setErrors] = useState({});
  const [sent, setSent] = useState(null);

  useEffect(() => {
    const t = setTimeout(
      () =>
        api("/api/v1/preview", { method: "POST", body: { template: text } }).then(setPreview, () => setPreview(null)),
      250,
    );
    return () => clearTimeout(t);
  }, [text]);

  const submit = async (e) => {
    e.preventDefault();
    setErrors({});
    setNotice(null);
    try {
      const m = await api("/api/v1/test-messages", { method: "POST", body: { to, text, channel } });
      setSent(m);
      setNotice({ kind: "ok", text: `Queued as ${m.id}.` });
    } catch (err) {
      // The server echoes a number masked (its messages may reach logs); the person who typed it sees it as typed.
      if (err.code === "outbox.invalid_number") setErrors({ to: err.message.replace(/^"[^"]*"/, `"${to}"`) });
      else if (err.code === "outbox.invalid_email") setErrors({ [err.field ?? "to"]: err.message });
      else if (err.field) setErrors({ [err.field]: err.message });
      else setNotice({ kind: "error", text: err.message });
    }
  };

  if (!can("desk"))
    return html`<h1 tabindex="-1">Send test SMS</h1>
      <p>Your role may not send messages.</p>`;
  return html` <h1 tabindex="-1">Send test SMS</h1>
    <form class="panel" onSubmit=${submit} id="send-form">
      <${Field} id="s-channel" label="Channel">
        <select id="s-channel" value=${channel} onChange=${(e) => setChannel(e.target.value)}>
          <option value="sms">SMS</option>
          <option value="email">E-mail (through the SMTP relay)</option>
        </select>
      <//>
      <${Field}
        id="s-to"
        label=${channel === "email" ? "To address" : "To number"}
        hint=${channel === "email" ? "One e-mail address." : "Any common form; the default region applies."}
        error=${errors.to}
      >
        <input
          id="s-to"
          type=${channel === "email" ? "email" : "tel"}
          required
          autocomplete="off"
          value=${to}
          onInput=${(e) => setTo(e.target.value)}
          aria-invalid=${Boolean(errors.to)}
          aria-describedby="s-to-hint"
        />
      <//>
      <${Field} id="s-text" label="Text" error=${errors.text}>
        <textarea
          id="s-text"
          required
          rows="4"
          maxlength="1600"
          value=${text}
          onInput=${(e) => setText(e.target.value)}
        ></textarea>
      <//>
      ${channel === "sms" && preview?.text !== undefined && preview?.text !== null && html`<p class="muted" id="send-measure">${preview.encoding.toUpperCase()}, ${preview.parts} part(s), ${preview.units} units</p>`}
      <${Notice} notice=${notice} />
      <button type="submit">Send</button>
      ${sent && html` <a href=${`/messages?id=${encodeURIComponent(sent.id)}`} onClick=${(e) => (e.preventDefault(), navigate(`/messages?id=${encodeURIComponent(sent.id)}`))}>Follow it in Messages</a>`}
    </form>`;
}
