/**
 * One error class with area-prefixed codes (zwave-js ZWaveError style). Expected failures
 * (a CMS error, a bad payload, an invalid number) are DuegateErrors a technician can act on;
 * anything else reaching a boundary is a bug and is logged as such.
 */
export const ErrorCode = {
  // config
  ConfigInvalid: "config.invalid",
  ConfigUnreadable: "config.unreadable",
  /** The data directory is open to other users (group or world bits): the service refuses to start. */
  DataDirUnsafe: "config.data_dir_unsafe",
  // sms codec
  PduMalformed: "sms.pdu_malformed",
  PduTruncated: "sms.pdu_truncated",
  PduUnsupported: "sms.pdu_unsupported",
  TextUnencodable: "sms.text_unencodable",
  // modem
  ModemTimeout: "modem.timeout",
  ModemClosed: "modem.closed",
  ModemUnplugged: "modem.unplugged",
  ModemCmsError: "modem.cms_error",
  ModemCmeError: "modem.cme_error",
  ModemError: "modem.error",
  ModemNotReady: "modem.not_ready",
  ModemSimPin: "modem.sim_pin",
  ModemNoNetwork: "modem.no_network",
  ModemParse: "modem.parse",
  // store
  StoreCorrupt: "store.corrupt",
  StoreWrite: "store.write",
  // domain
  InvalidNumber: "outbox.invalid_number",
  InvalidEmail: "outbox.invalid_email",
  // e-mail (src/email): the relay's answer, classified
  EmailTemporary: "email.temporary",
  EmailRejected: "email.rejected",
  EmailNotConfigured: "email.not_configured",
  /** The number is on the suppression list (src/consent): nothing is sent to it. */
  OptedOut: "outbox.opted_out",
  NotCancellable: "outbox.not_cancellable",
  NotFound: "domain.not_found",
  Validation: "domain.validation",
  StaleUpdate: "ledger.stale_update",
  TemplateInvalid: "dunning.template_invalid",
  PolicyInvalid: "dunning.policy_invalid",
  // system (backup, restore)
  BackupInvalid: "system.backup_invalid",
  RestoreRefused: "system.restore_refused",
  // adapters
  Unauthorized: "auth.unauthorized",
  Forbidden: "auth.forbidden",
  RateLimited: "auth.rate_limited",
  PayloadMalformed: "api.payload_malformed",
  PayloadInvalid: "api.payload_invalid",
  PayloadTooLarge: "api.payload_too_large",
  UnknownTopic: "api.unknown_topic",
  BrokerUnavailable: "api.broker_unavailable",
  ListenFailed: "http.listen_failed",
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class DuegateError extends Error {
  override readonly name = "DuegateError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Where it happened and with what: a field path, a topic, a byte offset, an AT command. */
    readonly context: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isDuegateError(e: unknown, code?: ErrorCode): e is DuegateError {
  return e instanceof DuegateError && (code === undefined || e.code === code);
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
