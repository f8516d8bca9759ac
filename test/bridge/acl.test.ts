import { describe, expect, it } from "vitest";
import { TopicAcl, filterWithin, topicMatches } from "../../src/bridge/acl.js";
import { PacketSizeGuard, packetLimitFor } from "../../src/bridge/packet-guard.js";
import { filtersMatching } from "../../src/bridge/session-sweeper.js";
import { BrokerUsers, type StoredBrokerUsers } from "../../src/bridge/credentials.js";
import { brokerExposure, isLoopbackAddress } from "../../src/bridge/exposure.js";
import { validateConfig } from "../../src/config/load.js";
import { createLogger, silentLogger } from "../../src/core/log.js";
import { systemClock } from "../../src/core/clock.js";
import { hashPassword } from "../../src/auth/password.js";
import { LogCapture } from "../reliability/harness/appliance.js";

const acl = new TopicAcl({ baseTopic: "duegate", gatewayId: "gw1", sharedSendTopic: "duegate/shared/send" });

describe("the embedded broker's ACL table", () => {
  it.each([
    ["accounting", "duegate/gw1/accounts/upsert", true],
    ["accounting", "duegate/gw1/invoices/upsert", true],
    ["accounting", "duegate/gw1/payments/record", true],
    ["accounting", "duegate/gw1/send", true],
    ["accounting", "duegate/gw1/optout", true],
    ["accounting", "duegate/gw1/request/account", true],
    ["accounting", "duegate/shared/send", true],
    ["accounting", "duegate/gw1/status", false],
    ["accounting", "duegate/gw1/error", false],
    ["accounting", "duegate/gw1/message/state", false],
    ["accounting", "duegate/gw1/response/account", false],
    ["accounting", "duegate/gw2/send", false],
    ["accounting", "duegate/gw1/request/a/b", false],
    ["reader", "duegate/gw1/send", false],
    ["reader", "duegate/gw1/request/status", false],
    ["gateway", "duegate/gw1/status", true],
    ["gateway", "duegate/gw1/response/account", true],
    ["gateway", "duegate/gw2/status", false],
  ] as const)("%s publishing to %s: %s", (role, topic, allowed) => {
    expect(acl.refusePublish(role, topic, false) === undefined).toBe(allowed);
  });

  it("lets only the gateway publish retained messages", () => {
    expect(acl.refusePublish("gateway", "duegate/gw1/status", true)).toBeUndefined();
    expect(acl.refusePublish("accounting", "duegate/gw1/send", true)).toMatch(/retained/);
  });

  it.each([
    ["accounting", "duegate/gw1/#", true],
    ["accounting", "duegate/gw1/+/state", true],
    ["accounting", "duegate/gw1/response/+", true],
    ["accounting", "#", false],
    ["accounting", "duegate/#", false],
    ["accounting", "+/gw1/#", false],
    ["accounting", "$SYS/#", false],
    ["accounting", "duegate/gw2/#", false],
    ["accounting", "$share/g/duegate/gw1/error", true],
    ["accounting", "$share/g/#", false],
    ["accounting", "duegate/gw1/#/x", false],
    ["accounting", "duegate/gw1/a+", false],
    ["reader", "duegate/gw1/message/state", true],
    ["reader", "duegate/gw1/keyword/+", true],
    ["reader", "duegate/gw1/keyword/stop", true],
    ["reader", "duegate/gw1/status", true],
    ["reader", "duegate/gw1/#", false],
    ["reader", "duegate/gw1/+", false],
    ["reader", "duegate/gw1/response/account", false],
    ["reader", "duegate/gw1/send", false],
    ["gateway", "duegate/gw1/#", true],
    ["gateway", "$share/grp/duegate/shared/send", true],
    ["gateway", "#", false],
  ] as const)("%s subscribing to %s: %s", (role, filter, allowed) => {
    expect(acl.maySubscribe(role, filter)).toBe(allowed);
  });

  it("matches topics and filters by the MQTT rules", () => {
    expect(topicMatches("a/#", "a")).toBe(true);
    expect(topicMatches("a/+", "a")).toBe(false);
    expect(topicMatches("#", "$SYS/x")).toBe(false);
    expect(filterWithin("a/b", "a/b/#")).toBe(true);
    expect(filterWithin("a/+/c", "a/+/c")).toBe(true);
    expect(filterWithin("a/+/c", "a/b/c")).toBe(false);
    expect(filterWithin("a/b/#", "a/b/+")).toBe(false);
  });
});

describe("the packet size guard", () => {
  it("passes packets up to the limit, split across chunks anywhere", () => {
    const g = new PacketSizeGuard(200);
    const packet = Buffer.concat([Buffer.from([0x30, 0xc8, 0x01]), Buffer.alloc(200, 1)]);
    const stream = Buffer.concat([packet, packet, Buffer.from([0xc0, 0x00])]);
    for (let i = 0; i < stream.length; i += 7) expect(g.feed(stream.subarray(i, i + 7))).toBeUndefined();
  });

  it("reports a packet over the limit from its header alone, and a malformed length", () => {
    expect(new PacketSizeGuard(200).feed(Buffer.from([0x30, 0xc9, 0x01]))).toBe(201);
    expect(new PacketSizeGuard(200).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it("sizes the limit from mqtt.maxBatch unless configured", () => {
    expect(packetLimitFor(5000, 0)).toBe(5000 * 2048 + 65536);
    expect(packetLimitFor(5000, 1000)).toBe(1000);
  });
});

describe("the filters a foreign subscription could have", () => {
  it("lists every filter that matches a topic, and only those", () => {
    const all = filtersMatching("duegate/gw1/error");
    expect(all).toEqual(
      expect.arrayContaining([
        "#",
        "duegate/#",
        "+/gw1/#",
        "duegate/gw1/#",
        "duegate/gw1/error/#",
        "+/+/+",
        "duegate/gw1/error",
        "+/gw1/error",
      ]),
    );
    expect(all).toHaveLength(1 + 2 + 4 + 8 + 8);
    expect(all.every((f) => topicMatches(f, "duegate/gw1/error"))).toBe(true);
  });
});

describe("the broker's users", () => {
  const memoryFile = () => {
    let data: StoredBrokerUsers | undefined;
    return {
      read: () => data,
      write: async (d: StoredBrokerUsers) => void (data = d),
      get data() {
        return data;
      },
    };
  };

  it("generates the accounting password once, keeps only its hash, and rotates it", async () => {
    const file = memoryFile();
    const log = new LogCapture();
    const users = await BrokerUsers.open({
      file,
      config: { username: "", password: "", readers: [] },
      clock: systemClock,
      logger: createLogger({ pretty: false, destination: log }),
      where: "here",
    });
    const shown = /with password (\S+) /.exec(String((JSON.parse(log.lines[0]!) as { msg: string }).msg))![1]!;
    expect(JSON.stringify(file.data)).not.toContain(shown);
    expect(await users.verify("accounting", Buffer.from(shown))).toBe("accounting");
    expect(await users.verify("accounting", Buffer.from("nope"))).toBeUndefined();
    const again = await BrokerUsers.open({
      file,
      config: { username: "", password: "", readers: [] },
      clock: systemClock,
      logger: createLogger({ pretty: false, destination: log }),
      where: "here",
    });
    expect(log.lines).toHaveLength(1);
    const fresh = await again.rotate();
    expect(await again.verify("accounting", Buffer.from(shown))).toBeUndefined();
    expect(await again.verify("accounting", Buffer.from(fresh.password))).toBe("accounting");
  });

  it("takes the configured accounting login (not rotatable), readers in clear or hashed, and the gateway's in-memory login", async () => {
    const hashed = await hashPassword("reader-two-pass");
    const users = await BrokerUsers.open({
      file: memoryFile(),
      config: {
        username: "acct",
        password: "configured-pass",
        readers: [
          { username: "r1", password: "reader-one-pass" },
          { username: "r2", password: hashed },
        ],
      },
      clock: systemClock,
      logger: silentLogger(),
      where: "",
    });
    expect(await users.verify("acct", Buffer.from("configured-pass"))).toBe("accounting");
    expect(await users.verify("r1", Buffer.from("reader-one-pass"))).toBe("reader");
    expect(await users.verify("r2", Buffer.from("reader-two-pass"))).toBe("reader");
    expect(await users.verify("r2", Buffer.from(hashed))).toBeUndefined();
    expect(await users.verify(users.gatewayLogin.username, Buffer.from(users.gatewayLogin.password))).toBe("gateway");
    expect(await users.verify("accounting", Buffer.from("configured-pass"))).toBeUndefined();
    await expect(users.rotate()).rejects.toThrow(/configuration/);
    expect(users.view()).toEqual({ username: "acct", source: "configured", readers: ["r1", "r2"] });
  });

  it("refuses a reader named like another user", async () => {
    await expect(
      BrokerUsers.open({
        file: memoryFile(),
        config: { username: "acct", password: "configured-pass", readers: [{ username: "acct", password: "x" }] },
        clock: systemClock,
        logger: silentLogger(),
        where: "",
      }),
    ).rejects.toThrow(/given twice/);
  });
});

describe("broker exposure (duegate doctor, start-up log)", () => {
  it("says nothing about the defaults, and warns of a LAN plain listener and anonymous loopback clients", () => {
    expect(brokerExposure(validateConfig({}))).toEqual([]);
    const risky = validateConfig({ mqtt: { embedded: { host: "0.0.0.0", allowAnonymousLoopback: true } } });
    expect(brokerExposure(risky).map((w) => w.key)).toEqual([
      "mqtt.embedded.host",
      "mqtt.embedded.allowAnonymousLoopback",
    ]);
    expect(brokerExposure(validateConfig({ mqtt: { mode: "external", embedded: { host: "0.0.0.0" } } }))).toEqual([]);
  });

  it("knows loopback addresses", () => {
    for (const a of ["127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1"]) expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ["10.0.0.1", "0.0.0.0", "::", "", undefined]) expect(isLoopbackAddress(a)).toBe(false);
  });
});
