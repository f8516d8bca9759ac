// Settings, e-mail: "send test mail" through the relay as saved (POST /api/v1/email/test), and
// the answer in words: which of the usual setup mistakes it is (src/email/classify.ts) and what
// the server itself said.
import { html, useState, api, Field } from "../lib.js";
import { tr } from "./settings-form.js";

/** What each failure class means for the person at the form. */
const FAILURES = {
  "connection-refused": "Connection refused: nothing accepts connections at this server and port.",
  tls: "TLS failed: the secure connection could not be set up (security setting, port or certificate).",
  authentication: "Authentication failed: the server refused the SMTP user or password.",
  "relay-denied": "Relay denied: the server does not forward mail to this address for this appliance.",
  "sender-refused": "Sender refused: the server does not accept the sender address.",
  timeout: "No answer in time from the server.",
  dns: "The server's name is not known (DNS).",
  temporary: "The server asked to try again later.",
  rejected: "The server refused this mail.",
  "not-configured": "The relay is not set up yet.",
  unknown: "The test mail failed.",
};

export function TestMail() {
  const [to, setTo] = useState("");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null);
  const send = async (e) => {
    e.preventDefault();
    setBusy(true);
    setResult(null);
    try {
      const r = await api("/api/v1/email/test", { method: "POST", body: { to } });
      setResult({ ok: true, answer: r.response });
    } catch (err) {
      const failure = err.body?.failureClass ?? "unknown";
      const hint = err.body?.hint;
      // The server's own words: the classified message without its class and hint.
      const answer = err.message.replace(/^[a-z-]+: /, "").replace(hint ? ` (${hint})` : "", "");
      setResult({ ok: false, failure, answer, code: err.body?.smtpCode });
    } finally {
      setBusy(false);
    }
  };
  return html`<form onSubmit=${send} class="filters" aria-label=${tr("settings.testMailForm", "Send a test mail")} id="smtp-test">
      <${Field} id="smtp-to" label=${tr("settings.testMailTo", "Send a test mail to")}
        ><input id="smtp-to" type="email" required value=${to} onInput=${(e) => setTo(e.target.value)}
      /><//>
      <button type="submit" disabled=${busy}>
        ${busy ? tr("settings.testMailSending", "Sending…") : tr("settings.testMailSend", "Send test mail")}
      </button>
    </form>
    ${
      result &&
      (result.ok
        ? html`<p class="ok" role="status" id="smtp-test-result">
            ${tr("settings.testMailOk", "Test mail accepted by the relay: {answer}", { answer: result.answer })}
          </p>`
        : html`<div class="error" role="alert" id="smtp-test-result" data-failure=${result.failure}>
            <p>
              <strong
                >${tr(`settings.testMail.${result.failure}`, FAILURES[result.failure] ?? FAILURES.unknown)}</strong
              >
            </p>
            <p>
              ${tr("settings.testMailAnswer", "The server's answer:")}
              <code>${result.answer}</code>
            </p>
          </div>`)
    }`;
}
