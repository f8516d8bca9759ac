// Send a test SMS: the same path as a reminder (outbox, pacing, send windows), marked "test".
import { html, useState, useEffect, api, can, Field, Notice, navigate, count } from "../lib.js";
import { t } from "../i18n/index.js";

/**
 * The server masks a number in its messages (they may reach logs); the person who typed it sees
 * it as typed: every masked number in the message ("+491******78", "******") becomes the input.
 */
export function asTyped(message, typed) {
  return message.replace(/\+?\d*\*+\d*/g, typed);
}

export function SendPage() {
  const [to, setTo] = useState("");
  const [channel, setChannel] = useState("sms");
  const [text, setText] = useState(t("send.defaultText"));
  const [preview, setPreview] = useState(null);
  const [notice, setNotice] = useState(null);
  const [errors, setErrors] = useState({});
  const [sent, setSent] = useState(null);

  useEffect(() => {
    const timer = setTimeout(
      () =>
        api("/api/v1/preview", { method: "POST", body: { template: text } }).then(setPreview, () => setPreview(null)),
      250,
    );
    return () => clearTimeout(timer);
  }, [text]);

  const submit = async (e) => {
    e.preventDefault();
    setErrors({});
    setNotice(null);
    try {
      const m = await api("/api/v1/test-messages", { method: "POST", body: { to, text, channel } });
      setSent(m);
      setNotice({ kind: "ok", text: t("send.queued", { id: m.id }) });
    } catch (err) {
      if (err.code === "outbox.invalid_number" || (err.field === "to" && channel === "sms"))
        setErrors({ to: asTyped(err.message, to) });
      else if (err.code === "outbox.invalid_email") setErrors({ [err.field ?? "to"]: err.message });
      else if (err.field) setErrors({ [err.field]: err.message });
      else setNotice({ kind: "error", text: err.message });
    }
  };

  if (!can("desk"))
    return html`<h1 tabindex="-1">${t("nav.send")}</h1>
      <p>${t("send.notAllowed")}</p>`;
  return html` <h1 tabindex="-1">${t("nav.send")}</h1>
    <form class="panel" onSubmit=${submit} id="send-form">
      <${Field} id="s-channel" label=${t("send.channel")}>
        <select id="s-channel" value=${channel} onChange=${(e) => setChannel(e.target.value)}>
          <option value="sms">SMS</option>
          <option value="email">${t("send.channel.email")}</option>
        </select>
      <//>
      <${Field}
        id="s-to"
        label=${channel === "email" ? t("send.toAddress") : t("send.toNumber")}
        hint=${channel === "email" ? t("send.toAddress.hint") : t("common.numberHint")}
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
      <${Field} id="s-text" label=${t("send.text")} error=${errors.text}>
        <textarea
          id="s-text"
          required
          rows="4"
          maxlength="1600"
          value=${text}
          onInput=${(e) => setText(e.target.value)}
        ></textarea>
      <//>
      ${channel === "sms" && preview?.text !== undefined && preview?.text !== null && html`<p class="muted" id="send-measure">${t("send.measure", { encoding: preview.encoding.toUpperCase(), parts: count(preview.parts), units: count(preview.units) })}</p>`}
      <${Notice} notice=${notice} />
      <button type="submit">${t("send.send")}</button>
      ${sent && html` <a href=${`/messages?id=${encodeURIComponent(sent.id)}`} onClick=${(e) => (e.preventDefault(), navigate(`/messages?id=${encodeURIComponent(sent.id)}`))}>${t("send.follow")}</a>`}
    </form>`;
}
