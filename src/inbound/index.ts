/** Inbound SMS: storage, keyword replies, the staff inbox (docs/keywords.md). */
export { Inbound, type InboundDeps, type InboundConfig } from "./inbound.js";
export type { InboundLedger, LedgerCommands, LedgerQueries, AccountBalance, StateFile, HistoryLog } from "./ports.js";
export type { InboundAction, InboundHistoryEntry, InboundRecord, InboxFilter, ReplyOutcome } from "./types.js";
export type { InboundState } from "./state.js";
export type { ReplyRange } from "./history-read.js";
export { KeywordRouter } from "./router.js";
export { parsePromiseDate } from "./promise-date.js";
