import { describe, expect, it } from "vitest";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { createLogger, silentLogger } from "../../src/core/log.js";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";

function capture() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { lines, logger: createLogger({ destination, pretty: false, level: "info" }) };
}

async function open(extra: Partial<Parameters<typeof AuthService.open>[0]> = {}) {
  const clock = new ManualClock();
  const files = new Map<string, unknown>();
  const auth = await AuthService.open({
    dataDir: "/data",
    logger: silentLogger(),
    clock,
    adminPassword: "correct horse battery",
    openStore: memoryStoreOpener(files),
    ...extra,
  });
  return { auth, clock, files };
}

async function rejects(p: Promise<unknown>, code: string) {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isDuegateError(e)).toBe(true);
  expect((e as { code: string }).code).toBe(code);
}

describe("AuthService", () => {
  it("creates admin at first start with the configured password and lets it log in", async () => {
    const { auth } = await open();
    expect(auth.users()).toEqual([expect.objectContaining({ name: "admin", role: "admin" })]);
    const r = await auth.login("admin", "correct horse battery");
    expect(r.principal).toEqual({
      kind: "user",
      name: "admin",
      role: "admin",
      scopes: ["read", "desk", "write", "policy", "metrics", "admin"],
    });
    await rejects(auth.login("admin", "wrong password!"), ErrorCode.Unauthorized);
    await rejects(auth.login("nobody", "correct horse battery"), ErrorCode.Unauthorized);
  });

  it("generates an admin password, logs it exactly once, and it works", async () => {
    const { lines, logger } = capture();
    const files = new Map<string, unknown>();
    const auth = await AuthService.open({
      dataDir: "/d",
      logger,
      clock: new ManualClock(),
      openStore: memoryStoreOpener(files),
    });
    const line = lines.find((l) => l.includes("generated password"));
    expect(line).toBeDefined();
    const password = /generated password (\S+)/.exec(JSON.parse(line!).msg as string)![1]!;
    expect(password).toMatch(/^[\w]{5}(-[\w]{5}){3}$/);
    await expect(auth.login("admin", password)).resolves.toBeDefined();
    // a restart on the same data creates nothing and logs no password
    const again = capture();
    await AuthService.open({
      dataDir: "/d",
      logger: again.logger,
      clock: new ManualClock(),
      openStore: memoryStoreOpener(files),
    });
    expect(again.lines.join("")).not.toContain(password);
    expect(lines.filter((l) => l.includes(password))).toHaveLength(1);
  });

  it("stores only scrypt hashes, through the JsonStore on disk", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "duegate-auth-"));
    const auth = await AuthService.open({
      dataDir,
      logger: silentLogger(),
      clock: new ManualClock(),
      adminPassword: "correct horse battery",
    });
    const { key } = await auth.createApiKey("erp", ["read"]);
    await auth.close();
    const file = await readFile(join(dataDir, "auth.json"), "utf8");
    expect(file).not.toContain("correct horse battery");
    expect(file).not.toContain(key);
    expect(file).toMatch(/scrypt\$16384\$8\$1\$/);
    const reopened = await AuthService.open({ dataDir, logger: silentLogger(), clock: new ManualClock() });
    expect(reopened.authenticateKey(key)?.name).toBe("erp");
    await expect(reopened.login("admin", "correct horse battery")).resolves.toBeDefined();
    expect(reopened.sessionKey()).toHaveLength(32);
    await reopened.close();
  });

  it("locks a user name after repeated failures and unlocks it as time passes", async () => {
    const { auth, clock } = await open();
    for (let i = 0; i < 5; i++) await rejects(auth.login("admin", "nope nope nope"), ErrorCode.Unauthorized);
    // even the right password is refused while locked
    await rejects(auth.login("admin", "correct horse battery"), ErrorCode.RateLimited);
    await clock.advance(31_000);
    await expect(auth.login("admin", "correct horse battery")).resolves.toBeDefined();
  });

  it("doubles the lock with each further failure", async () => {
    const { auth, clock } = await open();
    for (let i = 0; i < 5; i++) await rejects(auth.login("admin", "nope nope nope"), ErrorCode.Unauthorized);
    await clock.advance(31_000);
    await rejects(auth.login("admin", "nope nope nope"), ErrorCode.Unauthorized);
    await clock.advance(31_000);
    await rejects(auth.login("admin", "correct horse battery"), ErrorCode.RateLimited);
    await clock.advance(31_000);
    await expect(auth.login("admin", "correct horse battery")).resolves.toBeDefined();
  });

  it("never locks out a correct password from an address that has not failed", async () => {
    const { auth } = await open();
    // An attacker on 10.0.0.66 fails six times (one past the free attempts) for admin...
    for (let i = 0; i < 6; i++)
      await rejects(
        auth.login("admin", "nope nope nope", "10.0.0.66"),
        i < 5 ? ErrorCode.Unauthorized : ErrorCode.RateLimited,
      );
    await rejects(auth.login("admin", "correct horse battery", "10.0.0.66"), ErrorCode.RateLimited);
    // ...and the admin at another desk logs in at once.
    await expect(auth.login("admin", "correct horse battery", "10.0.0.7")).resolves.toBeDefined();
  });

  it("holds the name-wide lock against addresses that failed for that name, even from many addresses", async () => {
    const { auth } = await open();
    // Five machines, one guess each: the name-wide count reaches its limit.
    for (let i = 0; i < 5; i++)
      await rejects(auth.login("admin", "nope nope nope", `10.0.1.${i}`), ErrorCode.Unauthorized);
    // A sixth guess from one of them is refused without checking the password...
    await rejects(auth.login("admin", "correct horse battery", "10.0.1.0"), ErrorCode.RateLimited);
    // ...while an address that never failed is let in.
    await expect(auth.login("admin", "correct horse battery", "10.0.2.1")).resolves.toBeDefined();
  });

  it("locks an address that sprays many names", async () => {
    const { auth } = await open();
    for (let i = 0; i < 20; i++)
      await rejects(auth.login(`user${i}`, "nope nope nope", "10.0.0.99"), ErrorCode.Unauthorized);
    await rejects(auth.login("admin", "correct horse battery", "10.0.0.99"), ErrorCode.RateLimited);
    await expect(auth.login("admin", "correct horse battery", "10.0.0.100")).resolves.toBeDefined();
  });

  it("logs a failed login with the client address and the name, never the password", async () => {
    const { lines, logger } = capture();
    const auth = await AuthService.open({
      dataDir: "/d",
      logger,
      clock: new ManualClock(),
      adminPassword: "correct horse battery",
      openStore: memoryStoreOpener(),
    });
    await rejects(auth.login("admin", "a secret guess 1234", "192.0.2.44"), ErrorCode.Unauthorized);
    const line = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.event === "auth.login_failed");
    expect(line).toMatchObject({ user: "admin", client: "192.0.2.44" });
    expect(lines.join("")).not.toContain("a secret guess 1234");
  });

  it("keeps sessions on the server: ended at logout, expired after their lifetime, bounded per user", async () => {
    const { auth, clock, files } = await open();
    const a = await auth.startSession("admin");
    const b = await auth.startSession("ADMIN");
    expect(auth.sessionPrincipal(a.id)?.name).toBe("admin");
    await auth.endSession(a.id);
    expect(auth.sessionPrincipal(a.id)).toBeUndefined();
    expect(auth.sessionPrincipal(b.id)?.name).toBe("admin");
    expect(auth.sessionPrincipal("made-up")).toBeUndefined();
    // Only hashes are stored.
    expect(JSON.stringify([...files.values()])).not.toContain(b.id);
    await clock.advance(12 * 3600_000 + 1);
    expect(auth.sessionPrincipal(b.id)).toBeUndefined();
    const many = [];
    for (let i = 0; i < 12; i++) many.push(await auth.startSession("admin"));
    expect(auth.sessionCount("admin")).toBe(10);
    expect(auth.sessionPrincipal(many[0]!.id)).toBeUndefined();
    expect(auth.sessionPrincipal(many[11]!.id)?.name).toBe("admin");
    await auth.endSessions("admin");
    expect(auth.sessionCount("admin")).toBe(0);
  });

  it("keeps sessions across a restart (they are in auth.json)", async () => {
    const { auth, files } = await open();
    const s = await auth.startSession("admin");
    const reopened = await AuthService.open({
      dataDir: "/data",
      logger: silentLogger(),
      clock: new ManualClock(),
      openStore: memoryStoreOpener(files),
    });
    expect(reopened.sessionPrincipal(s.id)?.name).toBe("admin");
  });

  it("ends sessions when the password changes", async () => {
    const { auth } = await open();
    await auth.login("admin", "correct horse battery");
    const { id } = await auth.startSession("admin");
    expect(auth.sessionPrincipal(id)).toBeDefined();
    await auth.updateUser("admin", { password: "another long password" });
    expect(auth.sessionPrincipal(id)).toBeUndefined();
    const fresh = await auth.startSession("admin");
    expect(auth.sessionPrincipal(fresh.id)?.name).toBe("admin");
  });

  it("keeps at least one admin and validates input", async () => {
    const { auth } = await open();
    await rejects(auth.deleteUser("admin"), ErrorCode.Validation);
    await rejects(auth.updateUser("admin", { role: "viewer" }), ErrorCode.Validation);
    await rejects(auth.createUser("bad name!", "viewer", "long enough password"), ErrorCode.Validation);
    await rejects(auth.createUser("eve", "viewer", "short"), ErrorCode.Validation);
    await rejects(auth.createUser("eve", "root" as "admin", "long enough password"), ErrorCode.Validation);
    await auth.createUser("eve", "viewer", "long enough password");
    await rejects(auth.createUser("EVE", "viewer", "long enough password"), ErrorCode.Validation);
    const viewer = await auth.login("eve", "long enough password");
    expect(viewer.principal.scopes).toEqual(["read"]);
    const session = await auth.startSession("eve");
    await auth.deleteUser("eve");
    expect(auth.sessionPrincipal(session.id)).toBeUndefined();
    // A user of the same name made later does not inherit the session.
    await auth.createUser("eve", "admin", "long enough password");
    expect(auth.sessionPrincipal(session.id)).toBeUndefined();
  });

  it("makes API keys that are shown once, scoped, and revocable", async () => {
    const { auth } = await open();
    const { key, apiKey } = await auth.createApiKey("accounting", ["write"]);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(JSON.stringify(auth.apiKeys())).not.toContain(key);
    expect(auth.authenticateKey(key)).toEqual({
      kind: "apikey",
      name: "accounting",
      role: "admin",
      scopes: ["read", "write"],
    });
    expect(auth.authenticateKey(key + "x")).toBeUndefined();
    expect(auth.authenticateKey("not-a-key")).toBeUndefined();
    // policy implies read (one edits what one sees); metrics stands alone (a scraper sees nothing else)
    const policy = await auth.createApiKey("wording", ["policy"]);
    expect(auth.authenticateKey(policy.key)?.scopes).toEqual(["read", "policy"]);
    const metrics = await auth.createApiKey("prometheus", ["metrics"]);
    expect(auth.authenticateKey(metrics.key)?.scopes).toEqual(["metrics"]);
    await rejects(auth.createApiKey("x", ["admin"]), ErrorCode.Validation);
    await rejects(auth.createApiKey("x", []), ErrorCode.Validation);
    await auth.revokeApiKey(apiKey.id);
    expect(auth.authenticateKey(key)).toBeUndefined();
    await rejects(auth.revokeApiKey(apiKey.id), ErrorCode.NotFound);
  });
});
