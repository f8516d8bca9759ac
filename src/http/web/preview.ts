/**
 * Template preview for the policy editor: the text rendered for a sample debtor, with the
 * encoding, part count and cost the outbox will see (the same codec measures it), and the
 * problems a save would be refused for, so that the editor can show them beside the field.
 */
import { buildView, renderText } from "../../dunning/templates.js";
import { measureText } from "../../dunning/text-measure.js";
import { unknownVariables } from "../../dunning/template-variables.js";
import { setting } from "./settings-view.js";

export interface TemplatePreview {
  text: string;
  encoding: string;
  parts: number;
  units: number;
  cost: number;
  errors: Array<{ field: string; message: string }>;
}

export function templatePreview(template: string, locale: string, config: unknown, now: number): TemplatePreview {
  const errors: TemplatePreview["errors"] = [];
  const unknown = unknownVariables(template);
  if (unknown.error) errors.push({ field: "template", message: unknown.error });
  for (const name of unknown.names) errors.push({ field: "template", message: `unknown variable {{${name}}}` });
  if (!template.trim()) errors.push({ field: "template", message: "the template is empty" });
  const today = Math.floor(now / 86_400_000);
  const due = new Date((today - 12) * 86_400_000).toISOString().slice(0, 10);
  const view = buildView({
    account: { name: "Maria Example", locale },
    invoices: [{ number: "INV-1042", amountDue: 4990, dueDate: due, paymentLink: "https://pay.example/i/1042" }],
    currency: setting(config, "gateway.defaultCurrency", "EUR"),
    balance: 4990,
    today,
    company: setting(config, "gateway.companyName", "Example Utilities"),
    gatewayNumber: setting(config, "gateway.ownNumber", "+4915112345678"),
  });
  let text = template;
  if (!unknown.error) {
    try {
      text = renderText(template, view);
    } catch (e) {
      errors.push({ field: "template", message: e instanceof Error ? e.message : String(e) });
    }
  }
  const m = measureText(text, locale);
  return { text: m.text, encoding: m.encoding, parts: m.parts, units: m.units, cost: Math.round(m.parts * setting(config, "outbox.costPerPart", 0) * 100) / 100, errors };
}
