import { describe, expect, it } from "vitest";
import mqtt from "mqtt";
import { networkInterfaces } from "node:os";
import { freePort, requireOrSkip, waitFor } from "./helpers/mosquitto.js";
import { testServices, account } from "./helpers/services.js";
import { MqttBridge } from "../../src/bridge/bridge.js";
import { MemoryJournal } from "../../src/store/event-journal.js";
import { validateConfig } from "../../src/config/load.js";
import { runScenario } from "./helpers/scenario.js";
import { EmbeddedBroker } from "../../src/bridge/broker.js";
import type { OutgoingEvent } from "../../src/bridge/publisher.js";
import { CutProxy } from "./helpers/proxy.js";
import { silentLogger } from "../../src/core/log.js";
import { systemClock } from "../../src/core/clock.js";
import { BrokerUsers } from "../../src/bridge/credentials.js";
import { TopicAcl } from "../../src/bridge/acl.js";

/** The accounting server's login, configured (mqtt.embedded.username/password). */
const ACCT = { username: "acct", password: "s3cret-acct-pass" };

describe("MQTT bridge through the embedded broker", () => {
  // The embedded broker lives and dies with duegate, so the fault it sees while running is
  // the network to the accounting server going away: cut here by a relay, mid-ingest.
  it("stores 10,000 invoices exactly once and delivers every event in order across a cut to the accounting server", async () => {
    const port = await freePort();
    const relay = new CutProxy({ host: "127.0.0.1", port });
    await relay.start();
    try {
      const r = await runScenario({
        mqtt: {
          mode: "embedded",
          embedded: {
            ...validateConfig({}).mqtt.embedded,
            host: "127.0.0.1",
            port,
            username: "acct",
            password: "s3cret-acct-pass",
          },
        },
        clientUrl: () => `mqtt://127.0.0.1:${relay.port}`,
        restartBroker: () => relay.cut(500),
      });
      expect(r.storedInvoices).toBe(10_000);
      expect([...r.invoiceEventsPerId.values()].every((n) => n === 1)).toBe(true);
      expect(r.eventsReceived.map((e) => e.at)).toEqual(Array.from({ length: r.eventsEmitted }, (_, i) => i + 1));
    } finally {
      await relay.stop();
    }
  }, 150_000);

  it("after a restart, events wait in the journal until the accounting server has subscribed again", async () => {
    const s = await testServices();
    const port = await freePort();
    const config = {
      mqtt: {
        ...validateConfig({}).mqtt,
        mode: "embedded" as const,
        reconnectPeriodMs: 100,
        embedded: { ...validateConfig({}).mqtt.embedded, host: "127.0.0.1", port, ...ACCT },
      },
      gateway: { id: "gw1" },
    };
    const journal = new MemoryJournal<OutgoingEvent>();
    const bridge = new MqttBridge({ services: s, config, journal });
    await bridge.start();
    let client: mqtt.MqttClient | undefined;
    try {
      await waitFor("gateway connected", () => bridge.connected, 5000);
      for (let i = 1; i <= 5; i++)
        s.bus.emit("message.state", {
          id: `m${i}`,
          idempotencyKey: `k${i}`,
          state: "queued",
          to: "+4917600000000",
          origin: { kind: "test" },
          parts: 1,
          at: i,
        });
      // Nobody has subscribed to this new broker yet: published now, they would reach no one.
      await new Promise((r) => setTimeout(r, 500));
      expect(bridge.backlog).toBe(5);
      const got: number[] = [];
      client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        clientId: "accounting-server",
        clean: false,
        reconnectPeriod: 0,
        ...ACCT,
      });
      client.on("message", (_t, p) => void got.push((JSON.parse(p.toString()) as { at: number }).at));
      await client.subscribeAsync({ "duegate/gw1/message/state": { qos: 1 } });
      await waitFor("the waiting events delivered", () => got.length === 5, 10_000);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      await waitFor("the journal emptied", () => bridge.backlog === 0, 5000);
    } finally {
      await client?.endAsync();
      await bridge.stop();
      await s.ledger.close();
    }
  }, 30_000);

  it("refuses a client with the wrong password", async () => {
    const port = await freePort();
    const users = await BrokerUsers.open({
      file: { read: () => undefined, write: async () => undefined },
      config: { username: "acct", password: "s3cret", readers: [] },
      clock: systemClock,
      logger: silentLogger(),
      where: "memory",
    });
    const broker = new EmbeddedBroker({
      host: "127.0.0.1",
      port,
      users,
      acl: new TopicAcl({ baseTopic: "duegate", gatewayId: "gw1" }),
      gatewayClientId: "duegate-gw1",
      allowAnonymousLoopback: false,
      maxPacketBytes: 1 << 20,
      authFailuresBeforeLock: 5,
      clock: systemClock,
      logger: silentLogger(),
    });
    await broker.start();
    try {
      await expect(
        mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
          username: "acct",
          password: "wrong",
          reconnectPeriod: 0,
          connectTimeout: 3000,
        }),
      ).rejects.toThrow(/Bad username or password|Not authorized/i);
      const ok = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
        username: "acct",
        password: "s3cret",
        reconnectPeriod: 0,
      });
      expect(ok.connected).toBe(true);
      await ok.endAsync();
    } finally {
      await broker.stop();
    }
  });
});

describe("anonymous clients, when the configuration allows them", () => {
  it("admits them from loopback only, never from the LAN address, even on a listener open to the LAN", async () => {
    const lan = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === "IPv4" && !a.internal)?.address;
    const port = await freePort();
    const users = await BrokerUsers.open({
      file: { read: () => undefined, write: async () => undefined },
      config: { username: "acct", password: "s3cret-acct-pass", readers: [] },
      clock: systemClock,
      logger: silentLogger(),
      where: "memory",
    });
    const broker = new EmbeddedBroker({
      host: "0.0.0.0",
      port,
      users,
      acl: new TopicAcl({ baseTopic: "duegate", gatewayId: "gw1" }),
      gatewayClientId: "duegate-gw1",
      allowAnonymousLoopback: true,
      maxPacketBytes: 1 << 20,
      authFailuresBeforeLock: 5,
      clock: systemClock,
      logger: silentLogger(),
    });
    await broker.start();
    try {
      const local = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0 });
      // With the accounting server's rights, no more.
      expect((await local.subscribeAsync("duegate/gw1/#", { qos: 1 }))[0]!.qos).toBe(1);
      await local.endAsync();
      if (!lan) return void requireOrSkip(false, "a non-internal IPv4 address");
      await expect(
        mqtt.connectAsync(`mqtt://${lan}:${port}`, { reconnectPeriod: 0, connectTimeout: 3000 }),
      ).rejects.toThrow(/Not authorized/i);
    } finally {
      await broker.stop();
    }
  });
});

describe("acknowledgement after the durable write", () => {
  it("does not acknowledge a message whose write failed: the broker redelivers it and it is stored", async () => {
    const s = await testServices();
    const port = await freePort();
    let failures = 1;
    const real = s.ledger.upsertAccounts.bind(s.ledger);
    s.ledger.upsertAccounts = async (input) => {
      if (failures-- > 0) throw new Error("EIO: write failed");
      return real(input);
    };
    const config = {
      mqtt: {
        ...validateConfig({}).mqtt,
        mode: "embedded" as const,
        reconnectPeriodMs: 100,
        embedded: { ...validateConfig({}).mqtt.embedded, host: "127.0.0.1", port, ...ACCT },
      },
      gateway: { id: "gw1" },
    };
    const bridge = new MqttBridge({ services: s, config, journal: new MemoryJournal() });
    await bridge.start();
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      clientId: "acct",
      reconnectPeriod: 100,
      ...ACCT,
    });
    try {
      await waitFor("gateway connected", () => bridge.connected, 5000);
      await client.publishAsync("duegate/gw1/accounts/upsert", JSON.stringify(account(7)), { qos: 1 });
      await waitFor("the account stored after redelivery", () => s.ledger.account("A7") !== undefined, 10_000);
      expect(failures).toBeLessThan(0);
    } finally {
      await client.endAsync();
      await bridge.stop();
    }
  }, 30_000);
});
