import { describe, expect, it } from "vitest";
import { localeOfCountry, recipientContext, zoneOfCountry } from "../../src/outbox/recipient-context.js";
import { Priority, type Origin } from "../../src/outbox/index.js";
import { disposeRig, rig } from "./helpers.js";

const DEFAULTS = { locale: "en-GB", timeZone: "Europe/Berlin" };

describe("recipientContext", () => {
  it("takes the account's locale and zone first", () => {
    expect(recipientContext("+905321234567", { locale: "de-DE", timeZone: "America/New_York" }, DEFAULTS)).toEqual({
      locale: "de-DE",
      timeZone: "America/New_York",
    });
  });

  it("fills what the account lacks from the number's country", () => {
    expect(recipientContext("+905321234567", { locale: "de-DE" }, DEFAULTS)).toEqual({
      locale: "de-DE",
      timeZone: "Europe/Istanbul",
    });
    expect(recipientContext("+905321234567", undefined, DEFAULTS)).toEqual({
      locale: "tr-TR",
      timeZone: "Europe/Istanbul",
    });
    expect(recipientContext("+34612345678", undefined, DEFAULTS)).toEqual({
      locale: "es-ES",
      timeZone: "Europe/Madrid",
    });
    expect(recipientContext("+351912345678", undefined, DEFAULTS)).toEqual({
      locale: "pt-PT",
      timeZone: "Europe/Lisbon",
    });
  });

  it("gives a country of several zones its most populous one", () => {
    expect(zoneOfCountry("US")).toBe("America/New_York");
    expect(zoneOfCountry("BR")).toBe("America/Sao_Paulo");
    expect(zoneOfCountry("RU")).toBe("Europe/Moscow");
    expect(zoneOfCountry("FR")).toBe("Europe/Paris");
    expect(localeOfCountry("CH")).toBe("de-CH");
  });

  it("falls back to the gateway's defaults for a number of no country", () => {
    expect(recipientContext("+80012345678", undefined, DEFAULTS)).toEqual(DEFAULTS);
    expect(zoneOfCountry("ZZ")).toBeUndefined();
    expect(localeOfCountry("ZZ")).toBeUndefined();
  });
});

describe("the outbox puts the recipient's context on every message", () => {
  it("from the number's country when the request names no account, whatever the origin", async () => {
    const r = await rig();
    try {
      const origins: Origin[] = [
        { kind: "keyword-reply", inboundId: "in1", keyword: "help", accountIds: [] },
        { kind: "api", requestedBy: "http:test" },
        { kind: "test", requestedBy: "panel" },
      ];
      for (const [i, origin] of origins.entries()) {
        const { message } = await r.outbox.enqueue({
          idempotencyKey: `k${i}`,
          to: "+905321234567",
          text: "Teşekkürler, İyi günler.",
          priority: Priority.direct,
          origin,
        });
        expect(message).toMatchObject({ timeZones: ["Europe/Istanbul"], locale: "tr-TR", encoding: "gsm7" });
      }
    } finally {
      await disposeRig(r);
    }
  });

  it("keeps what the request says (a reminder's account context)", async () => {
    const r = await rig();
    try {
      const { message } = await r.outbox.enqueue({
        idempotencyKey: "k",
        to: "+905321234567",
        text: "Hello",
        priority: Priority.reminder,
        origin: { kind: "test", requestedBy: "t" },
        locale: "en-GB",
        timeZones: ["Europe/London"],
      });
      expect(message).toMatchObject({ timeZones: ["Europe/London"], locale: "en-GB" });
    } finally {
      await disposeRig(r);
    }
  });
});
