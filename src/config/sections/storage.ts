import { Type } from "@sinclair/typebox";

export const StorageSection = Type.Object(
  {
    flushIntervalMs: Type.Integer({
      default: 1000,
      minimum: 10,
      maximum: 60000,
      description:
        "Coalescing: at most one write of the hot file per interval (anything acknowledged to a sender is written at once).",
    }),
    recentHistoryDays: Type.Integer({
      default: 7,
      minimum: 7,
      maximum: 90,
      description:
        "Finished messages of this many days are loaded at start for listing, per-recipient limits and duplicate checks (older ones stay on disk).",
    }),
    ledgerCompactMinBytes: Type.Integer({
      default: 4194304,
      minimum: 65536,
      description:
        "The ledger is kept as an append-only log (only changed records are written) plus a snapshot; the log is compacted into a new snapshot, in the background, once it holds at least this many bytes (and ledgerCompactRatio times the snapshot).",
    }),
    ledgerCompactRatio: Type.Number({
      default: 1,
      minimum: 0,
      maximum: 100,
      description:
        "Compact the ledger log only when it is at least this many times the size of the snapshot: 1 writes about twice the data in total as the ledger grows; higher values write less and replay longer at start.",
    }),
    historyRetentionDays: Type.Integer({
      default: 1096,
      minimum: 1,
      description:
        "How long finished messages, inbound SMS and events are kept in dated history files (default three years).",
    }),
  },
  { default: {}, description: "Files on the SD card." },
);
