/**
 * npm run bench:codec — encode_per_s (texts → SMS-SUBMIT PDUs) and decode_per_s (PDUs → decoded) on a
 * realistic mix of reminder texts: plain GSM-7, extension characters (€ [ ]), look-alikes to
 * transliterate, Turkish with shift tables, UCS-2 (Greek, Cyrillic, emoji) and multipart.
 * Bounded: a fixed number of rounds, cut short after a time budget. Last line: one JSON object.
 */
import { decodePdu, encodeSubmit, type SubmitOptions } from "../src/sms/index.js";

const MIX: Array<{ text: string; locale?: string }> = [
  {
    text: "Dear Ms Meier, invoice 2024-0117 of 120.50 EUR was due on 3 May. Please pay to DE89 3704 0044 0532 0130 00. Reply BALANCE for your balance.",
  },
  {
    text: "Reminder: 89,90 € open since 12.04. [Ref 4711] Pay at https://pay.example.com/i/4711 or reply STOP to opt out.",
  },
  { text: "Hello John, we’ve noticed your payment of £45.00 is overdue – please settle it by Friday… Thank you!" },
  {
    text: "Sayın müşterimiz, 250,00 TL tutarındaki faturanızın son ödeme tarihi geçmiştir. Lütfen ödemenizi yapınız.",
    locale: "tr",
  },
  { text: "Αγαπητέ πελάτη, το τιμολόγιο 17 ύψους 80 € είναι ληξιπρόθεσμο. Παρακαλούμε εξοφλήστε το." },
  { text: "Уважаемый клиент! Счёт №332 на 1500 руб. просрочен. Оплатите, пожалуйста, до пятницы. 🙏" },
  {
    text:
      "Second notice: " +
      "Your account 88-1207 shows 3 open invoices totalling 1,204.77 EUR. ".repeat(4) +
      "Call us on +49 30 1234567.",
  },
  { text: "Paid, thanks! 👍" },
];

const ROUNDS = 4000;
const BUDGET_MS = 8000;

function encodeAll(round: number): string[] {
  const pdus: string[] = [];
  for (const m of MIX) {
    const opts: SubmitOptions = {
      to: "+491701234567",
      statusReport: true,
      validityMinutes: 1440,
      concatReference: round & 0xff,
      locale: m.locale,
    };
    for (const p of encodeSubmit(m.text, opts).parts) pdus.push(p.pdu);
  }
  return pdus;
}

const corpus = encodeAll(0);
let sink = 0;

let encoded = 0;
let t = performance.now();
const encStart = t;
for (let round = 0; round < ROUNDS && t - encStart < BUDGET_MS; round++) {
  sink += encodeAll(round).length;
  encoded += MIX.length;
  if ((round & 63) === 0) t = performance.now();
}
const encMs = performance.now() - encStart;

let decoded = 0;
const decStart = performance.now();
t = decStart;
for (let round = 0; round < ROUNDS && t - decStart < BUDGET_MS; round++) {
  for (const pdu of corpus) {
    const d = decodePdu(pdu);
    sink += d.type === "submit" ? d.text.length : 0;
  }
  decoded += corpus.length;
  if ((round & 63) === 0) t = performance.now();
}
const decMs = performance.now() - decStart;

const result = {
  bench: "codec",
  texts: MIX.length,
  parts_per_mix: corpus.length,
  encode_per_s: Math.round((encoded / encMs) * 1000),
  encode_parts_per_s: Math.round((((encoded / MIX.length) * corpus.length) / encMs) * 1000),
  decode_per_s: Math.round((decoded / decMs) * 1000),
  encoded_texts: encoded,
  decoded_pdus: decoded,
  sink,
};
console.log(`encoded ${encoded} texts in ${encMs.toFixed(0)} ms, decoded ${decoded} PDUs in ${decMs.toFixed(0)} ms`);
console.log(JSON.stringify(result));
