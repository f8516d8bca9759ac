import { Type } from "@sinclair/typebox";

export const InboundSection = Type.Object(
  {
    aliases: Type.Record(Type.String(), Type.Array(Type.String()), { default: {}, description: "Extra words per keyword, e.g. { balance: [SALDO, KONTOSTAND] }." }),
    unknownNumberReply: Type.String({ default: "", description: "Answer to a number that is on no account; empty sends nothing. Must disclose nothing." }),
    unknownKeywordHelp: Type.Boolean({ default: false, description: "Answer anything that is not a keyword with a short help text." }),
    reassemblyTimeoutMinutes: Type.Integer({ default: 60, minimum: 1, description: "After this, an incomplete multipart SMS is kept with the parts that arrived." }),
  },
  { default: {}, description: "Inbound SMS and keyword replies." },
);
