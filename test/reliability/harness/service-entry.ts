/**
 * Stand-in entry for `duegate run` while src/app.ts (the composition root) does not
 * yet start the MQTT bridge and the HTTP server itself. It runs the same steps as
 * src/cli/run.ts (config, logger, createApp, signal handlers) and then wires the two
 * adapters the way app.ts is expected to. The suites use src/main.ts as soon as app.ts
 * wires them (see adaptersWiredInApp) and report which entry ran.
 */
import { join, resolve } from "node:path";
import { Command } from "commander";
import { loadConfig } from "../../../src/config/load.js";
import { createLogger, LogRing } from "../../../src/core/log.js";
import { createApp } from "../../../src/app.js";
import { flagOverrides } from "../../../src/cli/options.js";
import { parseListen } from "../../../src/config/listen.js";
import { installSignalHandlers } from "../../../src/cli/signals.js";
import { MqttBridge } from "../../../src/bridge/bridge.js";
import { FileJournal } from "../../../src/store/event-journal.js";
import type { OutgoingEvent } from "../../../src/bridge/publisher.js";
import { buildServer } from "../../../src/http/server.js";

const cmd = new Command()
  .option("--config <file>")
  .option("--modem <port>")
  .option("--data <dir>")
  .option("--http <listen>")
  .option("--mqtt <url>")
  .option("--log-level <level>")
  .parse(process.argv.slice(process.argv.indexOf("run") + 1), { from: "user" });
const opts = cmd.opts<Record<string, string | undefined>>();

const { config, file } = loadConfig({ ...(opts.config ? { file: opts.config } : {}), overrides: flagOverrides(opts) });
const logRing = new LogRing();
const logger = createLogger({ level: config.log.level, pretty: false, ring: logRing });
// The adapters are added below, so the app starts neither its own HTTP server nor its own bridge.
const app = await createApp(config, {
  logger,
  logRing,
  http: false,
  mqtt: false,
  ...(file ? { configFile: file } : {}),
});
const dataDir = resolve(config.gateway.dataDir);
const { clock } = app.services;
const journal = await FileJournal.open<OutgoingEvent>(join(dataDir, "mqtt-outgoing.jsonl"), {
  clock,
  logger,
  coalesceMs: 100,
  maxItems: config.mqtt.journalMaxEvents,
});
const bridge = new MqttBridge({ services: app.services, config, journal });
// The app's own auth service: a second one on the same auth.json would overwrite the other's sessions.
const server = await buildServer(app.services, { auth: app.services.auth, web: false });
installSignalHandlers({
  logger,
  reload: () => app.reload(),
  stop: async () => {
    await server.close();
    await bridge.stop();
    await app.stop();
  },
});
await app.start();
await bridge.start();
await server.listen(parseListen(config.http.listen));
logger.info({ entry: "test/reliability/harness/service-entry.ts" }, "adapters started by the reliability harness");
