/**
 * Reads what a stopped service left in its data directory, through the same code that
 * will read it at the next start (createApp opens ledger, outbox and inbound; nothing is
 * started, no port is opened). The suites count lost and duplicated work from this.
 */
import { validateConfig } from "../../../src/config/load.js";
import { createApp } from "../../../src/app.js";
import { silentLogger } from "../../../src/core/log.js";
import { ModemSimulator } from "../../../src/modem/index.js";
import type { OutboxMessage } from "../../../src/outbox/types.js";
import type { InboundRecord } from "../../../src/inbound/types.js";
import { everything } from "./tools.js";

export interface DataDirContents {
  messages: OutboxMessage[];
  inbound: InboundRecord[];
  accounts: number;
}

export async function inspectDataDir(config: Record<string, unknown>, dataDir: string): Promise<DataDirContents> {
  const c = validateConfig({
    ...config,
    gateway: { ...(config.gateway as object), dataDir },
    modem: { ...(config.modem as object), port: "sim" },
    mqtt: { mode: "off" },
  });
  const app = await createApp(c, { logger: silentLogger(), simulator: new ModemSimulator(), http: false, mqtt: false });
  try {
    const s = app.services;
    return {
      messages: everything((p) => s.outbox.list(p)),
      inbound: everything((p) => s.inbound.list(p)),
      accounts: s.ledger.listAccounts({ limit: 1 }).total,
    };
  } finally {
    await app.stop();
  }
}
