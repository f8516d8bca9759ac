export { Ledger, type LedgerDocument, type LedgerOptions } from "./ledger.js";
export type { LedgerDefaults } from "./validate.js";
export * from "./types.js";
export * from "./ports.js";
export { jsonDocuments } from "./json-documents.js";
