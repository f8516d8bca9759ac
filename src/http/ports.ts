/**
 * What the HTTP API uses of the running services: the bridge's slices plus the listing
 * queries. AppServices satisfies it structurally; tests pass small fakes.
 */
import type { AccountReader, GatewayServices, InboxServices, MessageQueries } from "../service/index.js";
import type { LogRing } from "../core/log.js";
import type { Reports } from "../dunning/reports/index.js";
import type { DeskPort } from "./routes/desk.js";
import type { PolicyPort } from "./routes/policy.js";
import type { MqttCredentialsPort } from "../service/index.js";
import type { OutboxMessage } from "../outbox/types.js";

/** The reports the API and the panel serve (src/dunning/reports/service.ts). */
export type ReportsPort = Pick<
  Reports,
  "today" | "aging" | "onTime" | "dso" | "steps" | "cost" | "evidence" | "evidenceCsv" | "sendTime" | "sendTimeOf"
>;

export interface HttpServices extends Omit<GatewayServices, "ledger" | "outbox" | "consent" | "dunning"> {
  readonly ledger: GatewayServices["ledger"] & AccountReader["ledger"];
  readonly outbox: GatewayServices["outbox"] &
    MessageQueries["outbox"] &
    AccountReader["outbox"] & { retry(id: string): Promise<OutboxMessage> };
  readonly consent: GatewayServices["consent"] & AccountReader["consent"];
  readonly dunning: GatewayServices["dunning"] & PolicyPort;
  readonly inbound: InboxServices["inbound"];
  readonly reports: ReportsPort;
  /** Recent log lines for the Logs page (src/core/log.ts). */
  readonly logRing: Pick<LogRing, "recent">;
  /** E-mail: the unsubscribe link's check and effect, and the relay test (absent in tests that do not need them). */
  readonly email?: EmailPort;
  /** The collections desk (src/desk); absent in API-only tests, where its routes answer 404. */
  readonly desk?: DeskPort & NonNullable<InboxServices["desk"]>;
  /** The embedded broker's logins (admin only); absent in API-only tests. */
  readonly mqttCredentials?: MqttCredentialsPort;
  readonly config: {
    gateway: { id: string; defaultTimeZone: string; dataDir: string };
    http: {
      listen: string;
      bodyLimitBytes: number;
      rateLimitPerMinute: number;
      allowedHosts: string[];
      metricsAccess: "loopback-or-key" | "key";
      importMaxRows: number;
      importMaxBytes: number;
      secureCookies: boolean;
    };
    mqtt: { maxBatch: number };
  };
}

/** What the e-mail routes need (src/http/routes/email.ts); built in src/compose/email.ts. */
export interface EmailPort {
  /** The account a signed unsubscribe token names, or undefined. */
  verifyUnsubscribe(token: unknown): string | undefined;
  /** Stops e-mail to the account (SMS go on); recorded in its consent log. Resolves whether it changed. */
  unsubscribe(accountId: string): Promise<boolean>;
  /** Sends a test mail through the relay as configured now; rejects with the classified error (src/email/classify.ts). */
  sendTestMail(to: string): Promise<{ response: string; messageId: string }>;
}
