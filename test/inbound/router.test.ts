import { describe, expect, it } from "vitest";
import { KeywordRouter } from "../../src/inbound/router.js";
import { normalizeText, withinOneEdit } from "../../src/inbound/normalize.js";
import { isDuegateError } from "../../src/core/errors.js";

const router = new KeywordRouter({
  aliases: { balance: ["wie viel"] },
  localeAliases: { pl: { stop: ["NIE WYSYLAJ"], balance: ["STAN"] } },
});
const kind = (text: string) => router.route(text).keyword.kind;

describe("normalizeText", () => {
  it("folds case, accents, punctuation and spacing", () => {
    expect(normalizeText("  Stöp!!  ")).toBe("STOP");
    expect(normalizeText("opt-out.")).toBe("OPT OUT");
    expect(normalizeText("Kontostand?")).toBe("KONTOSTAND");
    expect(normalizeText("ARRÊTER")).toBe("ARRETER");
    expect(normalizeText("Straße")).toBe("STRASSE");
    expect(normalizeText("ＳＴＯＰ")).toBe("STOP"); // full-width letters from some phones
  });
  it("counts one typo, one transposition, one missing or extra letter", () => {
    expect(withinOneEdit("BALNACE", "BALANCE")).toBe(true);
    expect(withinOneEdit("BALANSE", "BALANCE")).toBe(true);
    expect(withinOneEdit("BALANC", "BALANCE")).toBe(true);
    expect(withinOneEdit("BALLANCE", "BALANCE")).toBe(true);
    expect(withinOneEdit("BLANACE", "BALANCE")).toBe(false);
  });
});

describe("KeywordRouter", () => {
  it.each([
    ["BALANCE", "balance"],
    ["balance", "balance"],
    [" Balance? ", "balance"],
    ["saldo", "balance"],
    ["Kontostand", "balance"],
    ["SOLDE", "balance"],
    ["what is my balance?", "balance"],
    ["balnace", "balance"],
    ["wie viel", "balance"],
    ["stan", "balance"],
    ["STOP", "stop"],
    ["stop.", "stop"],
    ["Stop!!!", "stop"],
    ["  s t o p", "unknown"],
    ["STOPALL", "stop"],
    ["stop all", "stop"],
    ["UNSUBSCRIBE", "stop"],
    ["cancel", "stop"],
    ["END", "stop"],
    ["quit", "stop"],
    ["revoke", "stop"],
    ["opt out", "stop"],
    ["Opt-Out", "stop"],
    ["OPTOUT", "stop"],
    ["Please stop", "stop"],
    ["stop texting me", "stop"],
    ["Stopp", "stop"],
    ["abmelden", "stop"],
    ["arrêt", "stop"],
    ["nie wysyłaj", "stop"],
    ["START", "start"],
    ["unstop", "start"],
    ["HELP", "help"],
    ["info", "help"],
    ["Hilfe!", "help"],
    ["aide", "help"],
    ["PAID", "paid"],
    ["paid yesterday", "paid"],
    ["bezahlt", "paid"],
    ["payé", "paid"],
    ["PROMISE 25/06", "promise"],
    ["promise friday", "promise"],
    ["Zusage 25.06.", "promise"],
    ["DISPUTE I never ordered this", "dispute"],
    ["Widerspruch", "dispute"],
    ["Hello, who is this?", "unknown"],
    ["", "unknown"],
    ["end of month I will pay", "unknown"],
    ["cancel my contract please tomorrow", "unknown"],
  ])("%j → %s", (text, expected) => {
    expect(kind(text)).toBe(expected);
  });

  it("hands the words after the keyword, as written, to the keyword", () => {
    expect(router.route("Promise: 25.06.2026 thanks").rest).toBe("25.06.2026 thanks");
    expect(router.route("dispute — Rechnung RE-42 ist falsch").rest).toBe("Rechnung RE-42 ist falsch");
    expect(router.route("Bitte STOP").keyword.kind).toBe("stop");
  });

  it("takes END and CANCEL only when they are the whole message", () => {
    expect(router.route("End").how).toBe("alone");
    expect(router.route("end please").keyword.kind).toBe("stop");
    expect(router.route("end of month").keyword.kind).toBe("unknown");
  });

  it("refuses an alias claimed by two keywords, or one for no keyword", () => {
    const clash = () => new KeywordRouter({ aliases: { balance: ["STOP"] } });
    expect(clash).toThrow(/claimed by both stop and balance/);
    try {
      new KeywordRouter({ aliases: { saldo: ["X"] } });
      expect.unreachable();
    } catch (e) {
      expect(isDuegateError(e, "config.invalid")).toBe(true);
    }
  });
});
