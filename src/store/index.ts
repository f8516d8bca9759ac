/** The only code that touches lowdb and data files (ARCHITECTURE.md, Seams). */
export { JsonStore, type JsonStoreOptions } from "./json-store.js";
export { History, type HistoryOptions } from "./history.js";
export { RecordDir, type RecordDirOptions } from "./record-dir.js";
export { storeIoStats, resetStoreIoStats, type StoreIoStats } from "./io-stats.js";
export { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, mkdirPrivate, openPrivate } from "./private-files.js";
