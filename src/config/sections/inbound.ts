import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

const KeywordAliases = Type.Record(Type.String(), Type.Array(Type.String()));

export const InboundSection = Type.Object(
  {
    aliases: Type.Record(Type.String(), Type.Array(Type.String()), {
      ...facts({
        label: "Extra keyword words",
        hint: 'Further words per keyword, as JSON, e.g. {"balance": ["SALDO"]}.',
        format: 'JSON like {"balance": ["SALDO"]}',
        editable: true,
      }),
      default: {},
      description:
        "Extra words per keyword (balance, stop, start, help, paid, promise, dispute), e.g. { balance: [SALDO, KONTOSTAND] }. Case, accents and punctuation do not matter.",
    }),
    localeAliases: Type.Record(Type.String(), KeywordAliases, {
      default: {},
      description:
        "Extra words per locale and keyword, e.g. { pl: { balance: [STAN], stop: [NIE] } }. Every alias is active for every sender (a debtor may answer in any language); the locale only groups them.",
    }),
    unknownNumberReply: Type.String({
      ...facts({
        label: "Answer to unknown numbers",
        hint: "Sent to a number that is on no account; empty sends nothing. It must disclose nothing.",
        editable: true,
      }),
      default: "",
      description: "Answer to a number that is on no account; empty sends nothing. Must disclose nothing.",
    }),
    unknownKeywordHelp: Type.Boolean({
      ...facts({
        label: "Answer other texts with help",
        hint: "Anything that is not a keyword gets a short help text.",
        editable: true,
      }),
      default: false,
      description: "Answer anything that is not a keyword with a short help text.",
    }),
    reassemblyTimeoutMinutes: Type.Integer({
      ...facts({ label: "Wait for missing SMS parts", unit: "minutes", restart: true }),
      default: 60,
      minimum: 1,
      description: "After this, an incomplete multipart SMS is kept with the parts that arrived.",
    }),
    replyLimitPerHour: Type.Integer({
      default: 5,
      minimum: 0,
      description:
        "Automatic replies to one number per rolling hour; more requests are stored but not answered (nobody can drain the SIM's credit).",
    }),
    replyLimitTotalPerHour: Type.Integer({
      default: 120,
      minimum: 0,
      description: "Automatic replies to all numbers together per rolling hour (many spoofed senders).",
    }),
    stopConfirmation: Type.Boolean({
      default: true,
      description:
        "Confirm STOP with one SMS, sent within 5 minutes or not at all (FCC 24-24 allows one confirmation).",
    }),
    promiseMaxDays: Type.Integer({
      default: 60,
      minimum: 1,
      description: "A PROMISE date further ahead than this many days is refused politely.",
    }),
    dedupDays: Type.Integer({
      default: 7,
      minimum: 1,
      description: "How long the keys of received SMS parts are kept to recognise the same SMS read twice.",
    }),
    inboxMemory: Type.Integer({
      ...facts({ label: "Inbox messages kept in memory", unit: "messages", restart: true }),
      default: 10000,
      minimum: 100,
      description: "Inbound messages kept in memory for the staff inbox; older ones stay in the history files.",
    }),
    replyTexts: Type.Record(Type.String(), Type.Record(Type.String(), Type.String()), {
      default: {},
      description:
        'Override reply texts per language and key, e.g. { de: { help: "..." } }. Keys and placeholders: docs/keywords.md.',
    }),
  },
  { ...facts({ label: "Replies to debtors" }), default: {}, description: "Inbound SMS and keyword replies." },
);
