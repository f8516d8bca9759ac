import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import { buildView, renderTemplate } from "../../src/dunning/templates.js";
import { measureText } from "../../src/dunning/text-measure.js";
import { dayNumber } from "../../src/core/calendar.js";
import { sampleLedger, SAMPLE_LOCALES } from "../../src/demo/sample-data.js";
import { DEMO_BASE } from "../../src/demo/demo-config.js";

/**
 * Every built-in template, rendered for every customer of the demo's sample data with the
 * opt-out line, is measured by the SMS codec with the customer's locale (national shift tables
 * for tr, es, pt) exactly as the outbox will send it: one GSM-7 part each.
 */
const LANGUAGES = ["de", "en", "es", "fr", "it", "nl", "pl", "pt", "tr"];
const now = Date.UTC(2026, 11, 7, 4, 0);
const sample = sampleLedger(40, now);

interface Rendered {
  id: string;
  locale: string;
  text: string;
}

function renderAll(): Rendered[] {
  const out: Rendered[] = [];
  for (const a of sample.accounts) {
    const invoices = sample.invoices
      .filter((i) => i.accountId === a.id)
      .map((i) => ({
        number: i.number ?? i.id,
        amountDue: i.amount,
        dueDate: i.dueDate,
        paymentLink: i.paymentLink ?? "",
      }));
    // Consolidated texts name two invoices: the account's own second one, or one like the sample's older invoices.
    const two = invoices.length > 1 ? invoices : [...invoices, { ...invoices[0]!, number: "RE-4999", amountDue: 1990 }];
    for (const id of Object.keys(DEFAULT_POLICY.templates)) {
      const group = id.startsWith("consolidated") ? two : invoices.slice(0, 1);
      const view = buildView({
        account: { name: a.name, locale: a.locale! },
        invoices: group,
        currency: a.currency!,
        balance: group.reduce((s, i) => s + i.amountDue, 0),
        today: dayNumber("2026-12-07"),
        company: DEMO_BASE.gateway.companyName,
        gatewayNumber: DEMO_BASE.gateway.ownNumber,
      });
      out.push({ id, locale: a.locale!, text: renderTemplate(DEFAULT_POLICY, id, a.locale!, view, true).text });
    }
  }
  return out;
}

describe("built-in templates for the demo's customers", () => {
  it("the sample data has customers in each of nine languages, and each template has a text in each", () => {
    expect([...new Set(sample.accounts.map((a) => a.locale!.split("-")[0]))].sort()).toEqual(LANGUAGES);
    expect(SAMPLE_LOCALES.map((l) => l.locale.split("-")[0]).sort()).toEqual(LANGUAGES);
    for (const texts of [...Object.values(DEFAULT_POLICY.templates), DEFAULT_POLICY.optOutLine])
      expect(Object.keys(texts).sort()).toEqual(LANGUAGES);
  });

  it("each rendered reminder is in the customer's language, names the customer, amount, due date and payment link, and fits one GSM-7 part with the locale's tables", () => {
    const rendered = renderAll();
    expect(rendered.length).toBe(40 * Object.keys(DEFAULT_POLICY.templates).length);
    const tooLong: string[] = [];
    for (const r of rendered) {
      const m = measureText(r.text, r.locale);
      if (m.encoding !== "gsm7" || m.parts !== 1)
        tooLong.push(`${r.id} ${r.locale} (${m.encoding}, ${m.units} units, ${m.parts} parts): ${r.text}`);
      expect(r.text).toMatch(/https:\/\/pay\.example\/\d+/);
      expect(r.text).toContain("STOP");
    }
    expect(tooLong).toEqual([]);
  });

  it("a Turkish reminder needs the Turkish table: without the locale it is not GSM-7 (the measurement uses the locale)", () => {
    const tr = renderAll().find((r) => r.locale === "tr-TR" && /ı/.test(r.text))!;
    expect(measureText(tr.text, tr.locale)).toMatchObject({ encoding: "gsm7", parts: 1 });
    expect(measureText(tr.text, undefined).encoding).toBe("ucs2");
  });
});
