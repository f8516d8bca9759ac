import { afterEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { authPlugin } from "../../src/http/auth/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";

const PASSWORD = "correct horse battery";
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function build(opts: { secureCookies?: boolean; loginPerMinute?: number } = {}) {
  const clock = new ManualClock(Date.now());
  const auth = await AuthService.open({
    dataDir: "/d",
    logger: silentLogger(),
    clock,
    adminPassword: PASSWORD,
    openStore: memoryStoreOpener(),
  });
  app = Fastify();
  await app.register(authPlugin, {
    auth,
    secureCookies: opts.secureCookies ?? false,
    clock,
    loginPerMinute: opts.loginPerMinute,
  });
  // Routes as the API declares them: one by default, one stating its scope.
  app.get("/api/v1/things", async (request) => ({ who: request.principal?.name }));
  app.post("/api/v1/things", async () => ({ changed: true }));
  app.post("/api/v1/preview", { config: { scope: "read" } }, async () => ({ preview: true }));
  app.get("/api/v1/explicit", { config: { scope: "write" } }, async () => ({ ok: true }));
  app.get("/api/v1/health", { config: { scope: "public" } }, async () => ({ ok: true }));
  await app.ready();
  return { app, auth, clock };
}

async function login(a: FastifyInstance, name = "admin", password = PASSWORD) {
  const res = await a.inject({ method: "POST", url: "/api/v1/login", payload: { name, password } });
  const cookie = res.cookies.find((c) => c.name === "duegate_session");
  return {
    res,
    cookie: sessionCookie(res.headers["set-cookie"]),
    raw: cookie,
    csrf: (res.json() as { csrfToken?: string }).csrfToken ?? "",
  };
}

/** The cookie as a browser sends it back: still URL-encoded (res.cookies decodes it). */
function sessionCookie(setCookie: string | string[] | number | undefined): string {
  const all = Array.isArray(setCookie) ? setCookie : [String(setCookie ?? "")];
  return all.find((c) => c.startsWith("duegate_session="))?.split(";")[0] ?? "";
}

describe("auth plugin", () => {
  it("refuses every API call without a principal, with a JSON error", async () => {
    const { app } = await build();
    for (const [method, url] of [
      ["GET", "/api/v1/things"],
      ["POST", "/api/v1/things"],
      ["GET", "/api/v1/me"],
      ["GET", "/api/v1/users"],
      ["GET", "/api/v1/unknown"],
    ] as const) {
      const res = await app.inject({ method, url });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
      expect(res.json()).toEqual({ error: { code: "auth.unauthorized", message: expect.any(String) } });
    }
    expect((await app.inject({ url: "/api/v1/health" })).statusCode).toBe(200);
  });

  it("logs in with a strict, HttpOnly session cookie and knows the user", async () => {
    const { app } = await build({ secureCookies: true });
    const { res, raw, cookie } = await login(app);
    expect(res.statusCode).toBe(200);
    expect(raw).toMatchObject({ httpOnly: true, sameSite: "Strict", secure: true, path: "/" });
    const me = await app.inject({ url: "/api/v1/me", headers: { cookie } });
    expect(me.json()).toMatchObject({
      principal: { kind: "user", name: "admin", role: "admin" },
      csrfToken: expect.any(String),
    });
  });

  it("refuses a wrong password without saying whether the user exists", async () => {
    const { app } = await build();
    const a = await app.inject({
      method: "POST",
      url: "/api/v1/login",
      payload: { name: "admin", password: "wrong password" },
    });
    const b = await app.inject({
      method: "POST",
      url: "/api/v1/login",
      payload: { name: "nobody", password: "wrong password" },
    });
    expect(a.statusCode).toBe(401);
    expect(a.json()).toEqual(b.json());
    expect(a.headers["set-cookie"]).toBeUndefined();
  });

  it("requires the CSRF header for unsafe requests made with the cookie", async () => {
    const { app } = await build();
    const { cookie, csrf } = await login(app);
    expect((await app.inject({ method: "POST", url: "/api/v1/things", headers: { cookie } })).statusCode).toBe(403);
    expect(
      (await app.inject({ method: "POST", url: "/api/v1/things", headers: { cookie, "x-csrf-token": "forged" } }))
        .statusCode,
    ).toBe(403);
    const ok = await app.inject({ method: "POST", url: "/api/v1/things", headers: { cookie, "x-csrf-token": csrf } });
    expect(ok.statusCode).toBe(200);
    // a safe method needs no token
    expect((await app.inject({ url: "/api/v1/things", headers: { cookie } })).json()).toEqual({ who: "admin" });
  });

  it("lets a viewer read but not change anything", async () => {
    const { app, auth } = await build();
    await auth.createUser("vera", "viewer", "viewer password 1");
    const { cookie, csrf } = await login(app, "vera", "viewer password 1");
    expect((await app.inject({ url: "/api/v1/things", headers: { cookie } })).statusCode).toBe(200);
    expect(
      (await app.inject({ method: "POST", url: "/api/v1/preview", headers: { cookie, "x-csrf-token": csrf } }))
        .statusCode,
    ).toBe(200);
    const write = await app.inject({
      method: "POST",
      url: "/api/v1/things",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().error.code).toBe("auth.forbidden");
    expect((await app.inject({ url: "/api/v1/explicit", headers: { cookie } })).statusCode).toBe(403);
    expect((await app.inject({ url: "/api/v1/users", headers: { cookie } })).statusCode).toBe(403);
    const makeUser = await app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: { cookie, "x-csrf-token": csrf },
      payload: { name: "x", role: "admin", password: "long enough pw" },
    });
    expect(makeUser.statusCode).toBe(403);
  });

  it("accepts API keys as Bearer tokens, without CSRF, within their scopes", async () => {
    const { app, auth } = await build();
    const reader = (await auth.createApiKey("dash", ["read"])).key;
    const writer = (await auth.createApiKey("erp", ["write"])).key;
    const bearer = (k: string) => ({ authorization: `Bearer ${k}` });
    expect((await app.inject({ url: "/api/v1/things", headers: bearer(reader) })).json()).toEqual({ who: "dash" });
    expect((await app.inject({ method: "POST", url: "/api/v1/things", headers: bearer(reader) })).statusCode).toBe(403);
    expect((await app.inject({ method: "POST", url: "/api/v1/things", headers: bearer(writer) })).statusCode).toBe(200);
    expect((await app.inject({ url: "/api/v1/users", headers: bearer(writer) })).statusCode).toBe(403);
    const bad = await app.inject({ url: "/api/v1/things", headers: bearer("dg_nope") });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.message).toMatch(/API key/);
  });

  it("manages users and keys for an admin; the key is shown once", async () => {
    const { app } = await build();
    const { cookie, csrf } = await login(app);
    const h = { cookie, "x-csrf-token": csrf };
    const created = await app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: h,
      payload: { name: "otto", role: "viewer", password: "otto password 1" },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).not.toHaveProperty("passwordHash");
    const invalid = await app.inject({
      method: "POST",
      url: "/api/v1/users",
      headers: h,
      payload: { name: "otto2", role: "viewer", password: "short" },
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: "domain.validation", field: "/password" });
    const users = await app.inject({ url: "/api/v1/users", headers: { cookie } });
    expect(users.json().items.map((u: { name: string }) => u.name)).toEqual(["admin", "otto"]);
    expect(users.body).not.toContain("scrypt");
    const key = await app.inject({
      method: "POST",
      url: "/api/v1/api-keys",
      headers: h,
      payload: { name: "erp", scopes: ["read"] },
    });
    expect(key.statusCode).toBe(201);
    const { key: secret, apiKey } = key.json() as { key: string; apiKey: { id: string } };
    const list = await app.inject({ url: "/api/v1/api-keys", headers: { cookie } });
    expect(list.body).not.toContain(secret);
    expect((await app.inject({ method: "DELETE", url: `/api/v1/api-keys/${apiKey.id}`, headers: h })).statusCode).toBe(
      204,
    );
    expect(
      (await app.inject({ url: "/api/v1/things", headers: { authorization: `Bearer ${secret}` } })).statusCode,
    ).toBe(401);
    expect((await app.inject({ method: "DELETE", url: "/api/v1/users/admin", headers: h })).statusCode).toBe(400);
  });

  it("ends the session at logout and when the password changes", async () => {
    const { app } = await build();
    const first = await login(app);
    const second = await login(app);
    const out = await app.inject({
      method: "POST",
      url: "/api/v1/logout",
      headers: { cookie: first.cookie, "x-csrf-token": first.csrf },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === "duegate_session");
    expect(cleared?.value ?? "").toBe("");
    // A copy of the cookie taken before the logout is refused: the session ended on the server.
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie: first.cookie } })).statusCode).toBe(401);
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie: second.cookie } })).statusCode).toBe(200);
    const change = await app.inject({
      method: "POST",
      url: "/api/v1/me/password",
      headers: { cookie: second.cookie, "x-csrf-token": second.csrf },
      payload: { current: PASSWORD, password: "a brand new password" },
    });
    expect(change.statusCode).toBe(200);
    // the old cookie is dead, the one issued with the change works
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie: second.cookie } })).statusCode).toBe(401);
    const renewed = sessionCookie(change.headers["set-cookie"]);
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie: renewed } })).statusCode).toBe(200);
  });

  it("expires a session after 12 hours on the clock", async () => {
    const { app, clock } = await build();
    const { cookie } = await login(app);
    await clock.advance(11 * 3600_000);
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie } })).statusCode).toBe(200);
    await clock.advance(2 * 3600_000);
    expect((await app.inject({ url: "/api/v1/me", headers: { cookie } })).statusCode).toBe(401);
  });

  it("rate-limits login attempts per address", async () => {
    const { app } = await build({ loginPerMinute: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 5; i++)
      codes.push(
        (
          await app.inject({
            method: "POST",
            url: "/api/v1/login",
            payload: { name: `u${i}`, password: "whatever pw" },
          })
        ).statusCode,
      );
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    const limited = await app.inject({
      method: "POST",
      url: "/api/v1/login",
      payload: { name: "admin", password: PASSWORD },
    });
    expect(limited.json().error.code).toBe("auth.rate_limited");
  });

  it("sends security headers with a CSP of 'self' only", async () => {
    const { app } = await build();
    const res = await app.inject({ url: "/api/v1/health" });
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).not.toMatch(/https?:/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["strict-transport-security"]).toBeUndefined();
  });
});
