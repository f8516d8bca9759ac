/** Events POSTed to the accounting servers that prefer HTTP push (http.webhooks), each with its durable journal. */
import { resolve } from "node:path";
import { FileJournal } from "../store/event-journal.js";
import { WebhookDispatcher } from "../http/webhooks/dispatcher.js";
import type { AppContext } from "./context.js";

export function buildWebhooks(ctx: AppContext) {
  const { clock, bus, dataDir } = ctx;
  const { gateway, http } = ctx.live.current;
  const logger = ctx.logger.child({ sub: "webhooks" });
  const journals: Array<{ close(): Promise<void> }> = [];
  const dispatcher = new WebhookDispatcher({
    bus,
    clock,
    logger,
    gatewayId: gateway.id,
    targets: http.webhooks,
    openJournal: async (i) => {
      const j = await FileJournal.open<never>(resolve(dataDir, `webhook-${i}.jsonl`), { clock, logger });
      journals.push(j);
      return j;
    },
    timeoutMs: http.webhookTimeoutMs,
    maxBackoffMs: http.webhookMaxBackoffMs,
    maxAgeMs: http.webhookMaxAgeHours * 3_600_000,
  });
  return {
    dispatcher,
    close: async () => {
      for (const j of journals) await j.close();
    },
  };
}
