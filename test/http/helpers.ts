import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { buildServer, type ServerServices } from "../../src/http/server.js";
import { LogRing } from "../../src/core/log.js";
import { validateConfig } from "../../src/config/load.js";
import { FakeOutbox, testServices, type TestServices } from "../bridge/helpers/services.js";
import type { ListFilter } from "../../src/outbox/types.js";

export class ListingOutbox extends FakeOutbox {
  list(filter: ListFilter) {
    const all = [...this.messages.values()].filter((m) => !filter.state || m.state === filter.state);
    return { total: all.length, items: all.slice(filter.offset ?? 0, (filter.offset ?? 0) + (filter.limit ?? 50)) };
  }
}

export interface Harness {
  app: FastifyInstance;
  s: TestServices & { outbox: ListingOutbox; logRing: LogRing };
  write: string;
  read: string;
}

export async function harness(http: Partial<ReturnType<typeof validateConfig>["http"]> = {}): Promise<Harness> {
  const base = await testServices();
  const outbox = new ListingOutbox(base.clock);
  // The services' real folder: /health checks that the outbox's folder can be written.
  mkdirSync(join(base.dataDir, "outbox"), { recursive: true });
  const config = validateConfig({ gateway: { dataDir: base.dataDir } });
  const s = Object.assign(base, {
    outbox,
    inbound: {
      list: () => ({
        total: 1,
        items: [{ id: "in_1", from: "+4917612345678", text: "BALANCE", receivedAt: base.clock.now(), accountIds: [] }],
      }),
    },
    config: { ...config, http: { ...config.http, ...http } },
    logRing: new LogRing(),
  });
  const auth = await AuthService.open({
    dataDir: "/d",
    logger: s.logger,
    clock: s.clock,
    adminPassword: "correct horse battery",
    openStore: memoryStoreOpener(),
  });
  const write = (await auth.createApiKey("accounting", ["read", "write"])).key;
  const read = (await auth.createApiKey("reporting", ["read"])).key;
  const app = await buildServer(s as unknown as ServerServices, { auth, web: false });
  await app.ready();
  return { app, s: s as Harness["s"], write, read };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
