/**
 * The e-mail of a reminder: subject, plain text and HTML in the account's locale, from the
 * policy's emailTemplates (or, for a template without one, a generic subject and the SMS
 * text). Same variables as the SMS. The HTML goes through mustache with its HTML escaping on:
 * a name like "<script>" or "Müller & Söhne" from accounting arrives as text, never as markup.
 * The unsubscribe footer is added here, in the mail's language.
 */
import Mustache from "mustache";
import type { PolicyDocument } from "./policy-schema.js";
import { pickLocale, renderTemplate, renderText, type TemplateView } from "./templates.js";

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  locale: string;
}

export interface UnsubscribeLinks {
  https?: string;
  mailto?: string;
}

const GENERIC_SUBJECT: Record<string, string> = {
  en: "{{company}}: payment reminder {{invoiceNumbers}}",
  de: "{{company}}: Zahlungserinnerung {{invoiceNumbers}}",
  fr: "{{company}} : rappel de paiement {{invoiceNumbers}}",
  es: "{{company}}: recordatorio de pago {{invoiceNumbers}}",
  it: "{{company}}: promemoria di pagamento {{invoiceNumbers}}",
  nl: "{{company}}: betalingsherinnering {{invoiceNumbers}}",
};

const FOOTER: Record<string, { link: string; mail: string }> = {
  en: { link: "No more reminders by e-mail: {{url}}", mail: "No more reminders by e-mail: write to {{mailto}}" },
  de: {
    link: "Keine Erinnerungen mehr per E-Mail: {{url}}",
    mail: "Keine Erinnerungen mehr per E-Mail: schreiben Sie an {{mailto}}",
  },
};

function footerOf(locale: string, links: UnsubscribeLinks | undefined): { text: string; html: string } | undefined {
  if (!links?.https && !links?.mailto) return undefined;
  const f = pickLocale(FOOTER, locale, "en")!.value;
  const mailto = links.mailto?.split("?")[0];
  const text = links.https ? f.link.replace("{{url}}", links.https) : f.mail.replace("{{mailto}}", mailto ?? "");
  const label = Mustache.escape(
    links.https ? f.link.replace(/:? ?\{\{url\}\}/, "") : f.mail.replace(/:? ?.*\{\{mailto\}\}/, ""),
  );
  const href = Mustache.escape(links.https ?? `mailto:${links.mailto ?? ""}`);
  // No inline style: the panel's preview shows this under a CSP without 'unsafe-inline', and mail clients differ anyway.
  return { text, html: `<p><small><a href="${href}">${label}</a></small></p>` };
}

/** Escaped text in paragraphs, one per blank-line-separated block; single line breaks kept. */
function paragraphs(text: string): string {
  return text
    .split(/\n{2,}/)
    .map((p) => `<p>${Mustache.escape(p).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}

export function renderEmail(
  policy: PolicyDocument,
  templateId: string,
  locale: string,
  view: TemplateView,
  links?: UnsubscribeLinks,
): RenderedEmail {
  const picked = policy.emailTemplates?.[templateId]
    ? pickLocale(policy.emailTemplates[templateId], locale, policy.fallbackLocale)
    : undefined;
  // The SMS text without its "reply STOP" line: STOP by SMS is not how a mail is unsubscribed.
  const sms = renderTemplate(policy, templateId, locale, view, false);
  const usedLocale = picked?.locale ?? sms.locale;
  const subjectSource = picked?.value.subject ?? pickLocale(GENERIC_SUBJECT, usedLocale, "en")!.value;
  const subject = renderText(subjectSource, view).replace(/\s+/g, " ");
  const body = picked?.value.text !== undefined ? renderText(picked.value.text, view) : sms.text;
  // Mustache.render escapes {{name}} for HTML; {{{name}}} would not, and the policy check allows it only for the author's own markup.
  const htmlBody = picked?.value.html !== undefined ? Mustache.render(picked.value.html, view) : paragraphs(body);
  const footer = footerOf(usedLocale, links);
  return {
    subject,
    text: footer ? `${body}\n\n--\n${footer.text}` : body,
    html: `<!doctype html>\n<html lang="${Mustache.escape(usedLocale)}"><body>\n${htmlBody}${footer ? `\n${footer.html}` : ""}\n</body></html>`,
    locale: usedLocale,
  };
}
