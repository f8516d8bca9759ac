/**
 * The preview a member of staff sees (encoding, parts, where the parts are cut) is what the
 * modem is handed: the reminder is rendered by the real engine for accounts in six languages,
 * sent through the real outbox (files in a temp dir, a capturing modem), and the PDUs decoded.
 */
import { afterEach, describe, expect, it } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ManualClock } from "../../src/core/clock.js";
import { EventBus } from "../../src/core/bus.js";
import { silentLogger } from "../../src/core/log.js";
import type { DomainEvents } from "../../src/api/events.js";
import { Ledger } from "../../src/ledger/ledger.js";
import { memoryDocuments } from "../../src/ledger/ports.js";
import { DunningEngine } from "../../src/dunning/engine.js";
import { Outbox } from "../../src/outbox/index.js";
import { CronScheduler } from "../../src/system/scheduler.js";
import { SystemClockTrust } from "../../src/system/clock-trust.js";
import { decodePdu, type SubmitPdu } from "../../src/sms/index.js";
import { midnightPolicy } from "../support/policy.js";
import { baseConfig } from "./fakes.js";
import { FakeSender, outboxDefaults } from "../outbox/helpers.js";

// Each long enough for several parts, each with its language's letters outside plain ASCII.
const TEMPLATES: Record<string, string> = {
  en: "{{company}}: Hello {{firstName}}, invoice {{invoiceNumbers}} for {{amountDue}} is due today. Please pay by bank transfer or online; if you have already paid, thank you and please ignore this message. Questions? Just reply.",
  de: "{{company}}: Guten Tag {{name}}, die Rechnung {{invoiceNumbers}} über {{amountDue}} ist heute fällig. Bitte überweisen Sie den Betrag zeitnah; falls Sie bereits gezahlt haben, ist diese Nachricht gegenstandslos. Grüße und Dank, Ihr Kundenservice.",
  fr: "{{company}} : Bonjour {{name}}, la facture {{invoiceNumbers}} de {{amountDue}} arrive à échéance aujourd'hui. Merci de la régler dès que possible ; si vous avez déjà payé, ignorez ce message. Reçu à la demande, à très bientôt.",
  es: "{{company}}: Hola {{name}}, la factura {{invoiceNumbers}} de {{amountDue}} vence hoy. Por favor, páguela lo antes posible; si ya pagó, ignore este mensaje. ¿Preguntas? Responda aquí, señor o señora. Gracias por su atención y confíe en nosotros.",
  pt: "{{company}}: Olá {{name}}, a fatura {{invoiceNumbers}} de {{amountDue}} vence hoje. Por favor, pague o quanto antes; se já pagou, ignore esta mensagem. Dúvidas? Responda aqui. Obrigado pela atenção e pela confiança, até à próxima ação.",
  tr: "{{company}}: Sayın {{name}}, {{invoiceNumbers}} numaralı {{amountDue}} tutarındaki faturanızın son ödeme günü bugün. Lütfen ödemenizi en kısa sürede yapınız; ödediyseniz bu mesajı dikkate almayınız. Sorularınız için yanıtlayın. İyi günler dileriz, teşekkür ederiz.",
};

const ACCOUNTS = [
  { id: "en1", locale: "en-GB", phone: "+447911123456", name: "Olivia Smith" },
  { id: "de1", locale: "de-DE", phone: "+4917612345678", name: "Jürgen Müller" },
  { id: "fr1", locale: "fr-FR", phone: "+33612345678", name: "Hélène Lefèvre" },
  { id: "es1", locale: "es-ES", phone: "+34612345678", name: "José Núñez" },
  { id: "pt1", locale: "pt-PT", phone: "+351912345678", name: "João Gonçalves" },
  { id: "tr1", locale: "tr-TR", phone: "+905321234567", name: "Ayşe Yılmaz" },
];

// Tuesday 10 March 2026, 12:00 UTC: inside the send window in London, Lisbon, Paris, Berlin and Istanbul.
const START = Date.UTC(2026, 2, 10, 12, 0);

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function world() {
  const clock = new ManualClock(START);
  const bus = new EventBus<DomainEvents>();
  const logger = silentLogger();
  const dataDir = await mkdtemp(join(tmpdir(), "duegate-preview-send-"));
  const ledger = await Ledger.open({
    dataDir,
    clock,
    bus,
    logger,
    defaults: { region: "DE", locale: "en-GB", currency: "EUR", timeZone: "Europe/Berlin" },
    openDocument: memoryDocuments(),
  });
  const sender = new FakeSender(clock);
  const modem = {
    statusReports: false,
    validityMinutes: 1440,
    smsc: "",
    concatReference: 8 as const,
    transliterate: true,
  };
  const outbox = await Outbox.open({
    dataDir,
    clock,
    bus,
    logger,
    config: outboxDefaults(),
    modemConfig: modem,
    gateway: { defaultRegion: "DE", defaultTimeZone: "Europe/Berlin", defaultLocale: "en-GB" },
    sender,
    storage: { flushIntervalMs: 20 },
    random: () => 0.5,
    recipients: { account: (id) => ledger.account(id), accountsByNumber: (n) => ledger.accountsByNumber(n) },
  });
  const trust = new SystemClockTrust({
    clock,
    logger,
    override: false,
    toleranceMs: 120_000,
    recheckMs: 30_000,
    ntpSynchronized: async () => true,
  });
  const config = baseConfig();
  config.policy = midnightPolicy(TEMPLATES);
  const engine = await DunningEngine.open({
    ledger,
    outbox,
    clock,
    bus,
    logger,
    config,
    gateway: {
      companyName: "Nordlicht Alarm GmbH",
      ownNumber: "+4915100000000",
      defaultTimeZone: "Europe/Berlin",
      dataDir,
    },
    costPerPart: 0.09,
    codec: modem,
    scheduler: new CronScheduler(clock, logger),
    clockTrust: trust,
    openDocument: memoryDocuments(),
  });
  cleanup.push(async () => {
    await engine.stop();
    await outbox.stop();
    await rm(dataDir, { recursive: true, force: true });
  });
  return { clock, ledger, outbox, sender, engine, trust };
}

/** The parts the modem was handed, per recipient, in part order. */
function sentParts(sender: FakeSender): Map<string, SubmitPdu[]> {
  const by = new Map<string, SubmitPdu[]>();
  for (const s of sender.sent) {
    const pdu = decodePdu(s.pdu) as SubmitPdu;
    by.set(pdu.to, [...(by.get(pdu.to) ?? []), pdu]);
  }
  for (const parts of by.values()) parts.sort((a, b) => (a.concat?.index ?? 1) - (b.concat?.index ?? 1));
  return by;
}

describe("preview equals send", () => {
  it("counts, encodes and cuts a reminder in en, de, fr, es, pt and tr exactly as the outbox sends it", async () => {
    const w = await world();
    await w.ledger.upsertAccounts(
      ACCOUNTS.map((a) => ({ id: a.id, version: 1, name: a.name, phones: [a.phone], locale: a.locale })),
    );
    await w.ledger.upsertInvoices(
      ACCOUNTS.map((a) => ({
        id: `inv-${a.id}`,
        version: 1,
        accountId: a.id,
        number: `RE-${a.id}`,
        amount: 12_900,
        issueDate: "2026-02-10",
        dueDate: "2026-03-10",
      })),
    );
    const previews = new Map(ACCOUNTS.map((a) => [a.phone, w.engine.preview({ stepId: "due", accountId: a.id })]));

    await w.trust.check();
    const report = await w.engine.evaluate();
    expect(report).toMatchObject({ status: "done", enqueued: ACCOUNTS.length });
    await w.outbox.start();
    const expectedParts = [...previews.values()].reduce((n, p) => n + p.parts, 0);
    // Bounded: at most 60 simulated minutes of pacing, and 10 s of real time.
    const deadline = Date.now() + 10_000;
    for (let i = 0; i < 3600 && w.sender.sent.length < expectedParts && Date.now() < deadline; i++) {
      await w.clock.advance(1000);
      await new Promise((r) => setTimeout(r, 1));
    }
    const sent = sentParts(w.sender);

    for (const a of ACCOUNTS) {
      const p = previews.get(a.phone)!;
      const parts = sent.get(a.phone) ?? [];
      const seen = {
        locale: a.locale,
        encoding: parts[0]?.encoding,
        parts: parts.length,
        partTexts: parts.map((x) => x.text),
      };
      expect(seen).toEqual({ locale: a.locale, encoding: p.encoding, parts: p.parts, partTexts: p.partTexts });
      expect(p.parts).toBeGreaterThan(1);
    }
    // The languages with national shift tables travel in GSM-7 with them, not in UCS-2.
    for (const id of ["es1", "pt1", "tr1"]) {
      const a = ACCOUNTS.find((x) => x.id === id)!;
      expect({ id, encoding: previews.get(a.phone)!.encoding }).toEqual({ id, encoding: "gsm7" });
      expect(previews.get(a.phone)!.shift).toBeDefined();
    }
  }, 30_000);
});
