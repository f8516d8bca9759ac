import { describe, it, expect } from "vitest";
import { DEFAULT_POLICY } from "../../src/dunning/default-policy.js";
import { checkPolicy } from "../../src/dunning/policy-schema.js";
import { formatDate, formatMoney, renderTemplate, buildView } from "../../src/dunning/templates.js";
import { unknownVariables } from "../../src/dunning/template-variables.js";
import { measureText } from "../../src/dunning/text-measure.js";
import { dayNumber } from "../../src/core/calendar.js";
import { isDuegateError } from "../../src/core/errors.js";
import { makeWorld, berlin, account, invoice } from "./fakes.js";

const view = (locale: string, over: Partial<Parameters<typeof buildView>[0]> = {}) =>
  buildView({
    account: { name: "Jana Schmidt", locale },
    invoices: [
      {
        number: "RE-2026-0042",
        amountDue: 123_456,
        dueDate: "2026-03-15",
        paymentLink: "https://pay.example.com/i/42",
      },
    ],
    currency: "EUR",
    balance: 123_456,
    today: dayNumber("2026-03-22"),
    company: "Nordlicht Alarm GmbH",
    gatewayNumber: "+4915100000000",
    ...over,
  });

describe("built-in policy", () => {
  it("is valid and every text of it fits GSM-7", () => {
    expect(() => checkPolicy(DEFAULT_POLICY)).not.toThrow();
    for (const [id, texts] of Object.entries(DEFAULT_POLICY.templates))
      for (const [locale, _t] of Object.entries(texts)) {
        const r = renderTemplate(DEFAULT_POLICY, id, locale, view(locale === "en" ? "en-GB" : locale), true);
        expect(measureText(r.text, locale).encoding, `${id} ${locale}: ${r.text}`).toBe("gsm7");
        expect(measureText(r.text, locale).parts, `${id} ${locale}`).toBeLessThanOrEqual(2);
      }
  });

  it("has nine languages for every template and the opt-out line", () => {
    for (const texts of [...Object.values(DEFAULT_POLICY.templates), DEFAULT_POLICY.optOutLine])
      expect(Object.keys(texts).sort()).toEqual(["de", "en", "es", "fr", "it", "nl", "pl", "pt", "tr"]);
  });
});

describe("policy validation", () => {
  const withTemplate = (text: string) => ({
    ...structuredClone(DEFAULT_POLICY),
    templates: { ...DEFAULT_POLICY.templates, overdue: { en: text } },
  });

  it("refuses an unknown template variable and names it", () => {
    try {
      checkPolicy(withTemplate("Hello {{name}}, you owe {{amountdue}}"));
      expect.unreachable();
    } catch (e) {
      expect(isDuegateError(e)).toBe(true);
      expect((e as Error).message).toBe('template "overdue" (en) uses unknown variable {{amountdue}}');
    }
  });

  it("refuses partials, references to missing templates or sequences, and duplicate step ids", () => {
    expect(() => checkPolicy(withTemplate("{{> footer}}"))).toThrow(/unknown variable \{\{>footer\}\}/);
    const p = structuredClone(DEFAULT_POLICY);
    p.segments.gold = "platinum";
    expect(() => checkPolicy(p)).toThrow('policy /segments/gold: sequence "platinum" is not defined');
    const q = structuredClone(DEFAULT_POLICY);
    q.sequences.standard!.steps[1]!.id = "upcoming";
    expect(() => checkPolicy(q)).toThrow(/step id "upcoming" is used twice/);
    const r = structuredClone(DEFAULT_POLICY);
    r.sequences.standard!.steps[0]!.template = "nope";
    expect(() => checkPolicy(r)).toThrow(/template "nope" is not defined/);
    expect(() =>
      checkPolicy({
        ...structuredClone(DEFAULT_POLICY),
        sequences: { standard: { steps: [{ id: "x", offsetDays: 1.5, template: "overdue" }] } },
      }),
    ).toThrow(/offsetDays/);
  });

  it("finds the unknown names inside sections", () => {
    expect(unknownVariables("{{#paymentLink}}{{url}}{{/paymentLink}} {{^x}}{{/x}}").names).toEqual(["url", "x"]);
    expect(unknownVariables("{{#oops}").error ?? unknownVariables("{{#a}}").error).toMatch(/parsed/);
  });

  it("stores each saved policy as a new version and the same policy as none", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    expect(w.engine.policyVersion().version).toBe(1);
    const p = structuredClone(DEFAULT_POLICY);
    p.name = "Edited";
    expect((await w.engine.setPolicy(p, "panel")).version).toBe(2);
    expect((await w.engine.setPolicy(p, "panel")).version).toBe(2);
    await expect(w.engine.setPolicy({ ...p, templates: { ...p.templates, x: { en: "{{balanse}}" } } })).rejects.toThrow(
      /\{\{balanse\}\}/,
    );
    expect(w.engine.policyVersions().map((v) => [v.version, v.savedBy])).toEqual([
      [1, "built-in"],
      [2, "panel"],
    ]);
    // A restart keeps the versions.
    const again = await makeWorld({ start: berlin("2026-03-01"), docs: w.docs });
    expect(again.engine.policy().name).toBe("Edited");
  });
});

describe("templates", () => {
  it("formats amounts and dates for the locale in GSM-7 friendly spaces", () => {
    expect(formatMoney(123_456, "EUR", "de-DE")).toBe("1.234,56 €");
    expect(formatMoney(123_456, "EUR", "fr-FR")).toBe("1 234,56 €");
    expect(formatMoney(123_456, "EUR", "en-GB")).toBe("€1,234.56");
    expect(formatMoney(1_500, "JPY", "ja-JP")).toMatch(/1,500/);
    expect(formatDate("2026-03-15", "de-DE")).toBe("15.03.2026");
    expect(formatDate("2026-03-15", "en-GB")).toBe("15 Mar 2026");
  });

  it("renders German with the German opt-out line, and counts days overdue", () => {
    const r = renderTemplate(DEFAULT_POLICY, "second-notice", "de-DE", view("de-DE"), true);
    expect(r.text).toBe(
      "Nordlicht Alarm GmbH: Guten Tag Jana Schmidt, 1.234,56 € sind seit 15.03.2026 überfällig. Bitte zahlen Sie binnen 7 Tagen. https://pay.example.com/i/42 Abmelden mit STOP.",
    );
    expect(r).toMatchObject({ locale: "de", optOutAppended: true });
    expect(view("de-DE").daysOverdue).toBe(7);
  });

  it("falls back from de-AT to de and from an unknown locale to English", () => {
    expect(renderTemplate(DEFAULT_POLICY, "due-today", "de-AT", view("de-AT"), true).locale).toBe("de");
    expect(renderTemplate(DEFAULT_POLICY, "due-today", "ja-JP", view("ja-JP"), true).locale).toBe("en");
  });

  it("does not append the opt-out line when the template has one or when switched off, and never HTML-escapes", () => {
    const p = {
      ...structuredClone(DEFAULT_POLICY),
      templates: { t: { en: "{{company}} owes nothing. Reply STOP to end." } },
    };
    expect(renderTemplate(p, "t", "en-GB", view("en-GB", { company: "Smith & Sons <Ltd>" }), true)).toEqual({
      text: "Smith & Sons <Ltd> owes nothing. Reply STOP to end.",
      locale: "en",
      optOutAppended: false,
    });
    expect(renderTemplate(DEFAULT_POLICY, "due-today", "en-GB", view("en-GB"), false).text).not.toContain("STOP");
  });

  it("leaves no dangling label when an invoice has no payment link", () => {
    const r = renderTemplate(
      DEFAULT_POLICY,
      "upcoming",
      "en-GB",
      view("en-GB", { invoices: [{ number: "7", amountDue: 100, dueDate: "2026-03-15" }] }),
      false,
    );
    expect(r.text).toBe("Nordlicht Alarm GmbH: Hello Jana, a reminder that invoice 7 for €1.00 is due on 15 Mar 2026.");
  });
});

describe("preview", () => {
  it("shows text, encoding, parts and cost for a sample account", async () => {
    const w = await makeWorld({ start: berlin("2026-03-01") });
    const p = w.engine.preview({ stepId: "overdue-7", locale: "de" });
    expect(p).toMatchObject({
      encoding: "gsm7",
      account: "sample",
      locale: "de",
      optOutAppended: true,
      templateId: "overdue",
    });
    expect(p.text).toContain("Maria Muster");
    expect(p.parts).toBe(Math.ceil(p.units / 153));
    expect(p.cost).toBeCloseTo(p.parts * 0.09, 6);
    expect(w.engine.preview({ stepId: "overdue-7", invoiceCount: 3 }).templateId).toBe("consolidated-overdue");
  });

  it("renders raw template text for a real account, and refuses an unknown variable", async () => {
    const w = await makeWorld({ start: berlin("2026-03-20") });
    await w.ledger.upsertAccounts([account("a1", { locale: "de-DE", name: "Jana Schmidt" })]);
    await w.ledger.upsertInvoices([invoice("i1", "a1", "2026-03-10")]);
    const p = w.engine.preview({
      template: "Hallo {{firstName}}, offen: {{amountDue}} seit {{daysOverdue}} Tagen. Ünïcödé ✓",
      accountId: "a1",
    });
    expect(p.text).toBe("Hallo Jana, offen: 129,00 € seit 10 Tagen. Ünïcödé ✓ Abmelden mit STOP.");
    expect(p).toMatchObject({ encoding: "ucs2", account: "real" });
    expect(() => w.engine.preview({ template: "{{iban}}" })).toThrow("template uses unknown variable {{iban}}");
  });
});
