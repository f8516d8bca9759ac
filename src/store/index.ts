/** The only code that touches lowdb and data files (docs/architecture.md, Layers). */
export { JsonStore, type JsonStoreOptions } from "./json-store.js";
export { History, type HistoryOptions } from "./history.js";
export { RecordJournal, readRecordJournal, type RecordJournalOptions } from "./record-journal.js";
export { storeIoStats, resetStoreIoStats, type StoreIoStats } from "./io-stats.js";
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, mkdirPrivate, openPrivate } from "./private-files.js";
export {
  fileStorage,
  storeOf,
  type StoreSource,
  memoryStorage,
  MemoryDocument,
  type Storage,
  type DocumentStorage,
  type DocumentStore,
  type FileStorageSettings,
  type OpenOptions,
  type RecordDocumentLayout,
  type RecordJournalLayout,
} from "./storage.js";
