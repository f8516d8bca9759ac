import { Type } from "@sinclair/typebox";

export const StorageSection = Type.Object(
  {
    flushIntervalMs: Type.Integer({ default: 1000, minimum: 10, maximum: 60000, description: "Coalescing: at most one write of the hot file per interval (anything acknowledged to a sender is written at once)." }),
    recentHistoryDays: Type.Integer({ default: 7, minimum: 7, maximum: 90, description: "Finished messages of this many days are loaded at start for listing, per-recipient limits and duplicate checks (older ones stay on disk)." }),
    historyRetentionDays: Type.Integer({ default: 1096, minimum: 1, description: "How long finished messages, inbound SMS and events are kept in dated history files (default three years)." }),
  },
  { default: {}, description: "Files on the SD card." },
);
