import { Type } from "@sinclair/typebox";

export const LogSection = Type.Object(
  {
    level: Type.Union(
      [
        Type.Literal("trace"),
        Type.Literal("debug"),
        Type.Literal("info"),
        Type.Literal("warn"),
        Type.Literal("error"),
        Type.Literal("fatal"),
      ],
      { default: "info", description: "Lowest level logged. debug shows the AT traffic (numbers masked)." },
    ),
    pretty: Type.Optional(
      Type.Boolean({ description: "Human-readable lines instead of JSON. Default: when stdout is a terminal." }),
    ),
  },
  { default: {}, description: "Logging (pino). Phone numbers are always masked, secrets and balances never logged." },
);
