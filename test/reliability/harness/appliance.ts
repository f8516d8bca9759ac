/**
 * The appliance in this process: createApp() on the modem simulator (no broker, no port),
 * the auth service and buildServer() for fastify inject(), and a log stream the suites can
 * read back (every line, as the operator's journal would get it).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { createApp, type App } from "../../../src/app.js";
import { validateConfig } from "../../../src/config/load.js";
import type { Config } from "../../../src/config/schema.js";
import { createLogger, LogRing } from "../../../src/core/log.js";
import type { Clock } from "../../../src/core/clock.js";
import { ModemSimulator } from "../../../src/modem/index.js";
import type { AuthService } from "../../../src/auth/index.js";
import { buildServer } from "../../../src/http/server.js";

export const ADMIN_PASSWORD = "reliability admin 2026";
export const VIEWER_PASSWORD = "reliability viewer 2026";

/** Every log line the appliance wrote, raw (what would reach journald). */
export class LogCapture {
  readonly lines: string[] = [];
  count = 0;
  /** keep = false counts lines only (the soak suite: a month of lines is not the appliance's memory). */
  constructor(private readonly keep = true) {}
  write(line: string): boolean {
    this.count++;
    if (this.keep) this.lines.push(line);
    return true;
  }
  text(): string {
    return this.lines.join("");
  }
}

export interface InProcessAppliance {
  app: App;
  config: Config;
  simulator: ModemSimulator;
  auth: AuthService;
  server: FastifyInstance;
  log: LogCapture;
  dataDir: string;
  keys: { read: string; write: string };
  stop(): Promise<void>;
}

/** Settings every suite wants: sends at any hour, limits out of the way unless a test sets them. */
export function reliabilityConfig(dataDir: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    gateway: { dataDir, defaultRegion: "DE", defaultTimeZone: "UTC", companyName: "Reliability Co" },
    modem: { port: "sim", healthIntervalSeconds: 30 },
    log: { level: "info", pretty: false },
    http: { adminPassword: ADMIN_PASSWORD },
    mqtt: { mode: "off" },
    dunning: { requireTrustedClock: false },
    outbox: {
      sendWindow: { start: "00:00", end: "23:59" },
      limits: { perRecipientPerWeek: 1000, perSimPerDay: 1_000_000, perSimPerMonth: 10_000_000, perMinute: 100_000 },
      retry: { baseDelayMs: 200, maxDelayMs: 2000, modemPauseMs: 100, maxAttempts: 50 },
      notReadyPollMs: 50,
    },
  };
  return deepMerge(base, extra);
}

export function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && cur && typeof cur === "object" && !Array.isArray(cur)
        ? deepMerge(cur as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export async function startInProcess(
  opts: {
    config?: Record<string, unknown>;
    clock?: Clock;
    simulator?: ModemSimulator;
    web?: boolean;
    keepLogs?: boolean;
    logLevel?: string;
  } = {},
): Promise<InProcessAppliance> {
  const dataDir = mkdtempSync(join(tmpdir(), "duegate-rel-app-"));
  const config = validateConfig(reliabilityConfig(dataDir, opts.config ?? {}));
  const simulator =
    opts.simulator ??
    new ModemSimulator({ sendLatencyMs: 1, deliveryReportDelayMs: 20, ...(opts.clock ? { clock: opts.clock } : {}) });
  const log = new LogCapture(opts.keepLogs ?? true);
  const logRing = new LogRing(2000);
  const logger = createLogger({ level: opts.logLevel ?? "debug", pretty: false, destination: log, ring: logRing });
  const app = await createApp(config, {
    simulator,
    logger,
    logRing,
    http: false,
    mqtt: false,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  await app.start();
  // The app's own: a second AuthService on the same auth.json would keep its own copy of users,
  // keys and server-side sessions, and whichever saved last would overwrite the other's.
  const auth = app.services.auth;
  await auth.createUser("viewer", "viewer", VIEWER_PASSWORD);
  const read = (await auth.createApiKey("reader", ["read"])).key;
  const write = (await auth.createApiKey("writer", ["read", "write"])).key;
  const server = await buildServer(app.services, { auth, ...(opts.web === false ? { web: false } : {}) });
  await server.ready();
  return {
    app,
    config,
    simulator,
    auth,
    server,
    log,
    dataDir,
    keys: { read, write },
    async stop() {
      await server.close();
      await app.stop(); // closes the auth service too
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
