/**
 * The application layer: the commands and queries both adapters (MQTT in src/bridge/, HTTP in
 * src/http/) call, so that a topic and its REST route behave the same by construction. It
 * works on the domain through the narrow ports of ./ports.ts and never imports an adapter.
 */
export { ingestRecords, toUpsertResult, ledgerPathToPointer, DEFAULT_MAX_BATCH, type RecordKind } from "./records.js";
export {
  sendDirect,
  cancelSelector,
  cancelMessage,
  sendTestMessage,
  listMessages,
  findMessage,
  messageView,
  type MessageView,
} from "./messages.js";
export { changeOptOut, suppressNumber, unsuppressNumber, type Requester } from "./consent.js";
export {
  listAccounts,
  accountView,
  type AccountReader,
  type AccountView,
  type AccountWithBalance,
} from "./accounts.js";
export { listInbox, replyTo, type InboxServices } from "./inbox.js";
export { previewTemplate, type PreviewAnswer } from "./policy.js";
export { recentLogs } from "./logs.js";
export { gatewayStatus } from "./status.js";
export type * from "./ports.js";
