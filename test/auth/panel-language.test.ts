/**
 * The panel language is kept on the user's record: chosen by the user (PUT /api/v1/me/language)
 * or set by an admin (PATCH /api/v1/users/:name), sent with the session (GET /api/v1/me), and
 * for a user who never chose, taken from the browser's Accept-Language. Over a real socket.
 */
import { afterEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { AuthService, memoryStoreOpener } from "../../src/auth/index.js";
import { authPlugin } from "../../src/http/auth/index.js";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { loadPanelLanguages } from "../../src/http/panel-languages.js";

const PASSWORD = "correct horse battery";
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function start() {
  const clock = new ManualClock(Date.now());
  const files = new Map<string, unknown>();
  const auth = await AuthService.open({
    dataDir: "/d",
    logger: silentLogger(),
    clock,
    adminPassword: PASSWORD,
    openStore: memoryStoreOpener(files),
  });
  await auth.createUser("carla", "clerk", "clerk password 1");
  app = Fastify();
  await app.register(authPlugin, {
    auth,
    secureCookies: false,
    clock,
    languages: await loadPanelLanguages("web/app/i18n"),
  });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  return { url, auth, files };
}

async function login(url: string, name: string, password: string) {
  const res = await fetch(`${url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password }),
  });
  expect(res.status).toBe(200);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0]!;
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        cookie,
        "x-csrf-token": csrfToken,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  return call;
}

describe("the panel language on the user's record", () => {
  it("follows the browser until the user chooses, then keeps the choice on every browser", async () => {
    const { url } = await start();
    const carla = await login(url, "carla", "clerk password 1");
    const german = await carla("GET", "/api/v1/me", undefined, { "accept-language": "de-CH,de;q=0.9,en;q=0.5" });
    expect(german.body).toMatchObject({ language: "de", languageChosen: false });
    expect((german.body.languages as { code: string }[]).map((l) => l.code)).toEqual(["en", "de"]);
    expect((await carla("GET", "/api/v1/me", undefined, { "accept-language": "fr" })).body.language).toBe("en");

    expect((await carla("PUT", "/api/v1/me/language", { language: "en" })).status).toBe(200);
    // another browser, asking for German: the user's choice wins
    const elsewhere = await login(url, "carla", "clerk password 1");
    const me = await elsewhere("GET", "/api/v1/me", undefined, { "accept-language": "de" });
    expect(me.body).toMatchObject({ language: "en", languageChosen: true });

    // null forgets the choice: the browser decides again
    expect((await elsewhere("PUT", "/api/v1/me/language", { language: null })).body).toEqual({ language: null });
    expect((await elsewhere("GET", "/api/v1/me", undefined, { "accept-language": "de" })).body.languageChosen).toBe(
      false,
    );
  });

  it("refuses a language the panel does not have, naming the ones it has", async () => {
    const { url } = await start();
    const carla = await login(url, "carla", "clerk password 1");
    const refused = await carla("PUT", "/api/v1/me/language", { language: "xx" });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ field: "/language" });
    expect(String((refused.body.error as { message: string }).message)).toMatch(/no language "xx".*"en", "de"/);
    expect((await carla("PUT", "/api/v1/me/language", { language: 42 })).status).toBe(400);
    expect((await carla("PUT", "/api/v1/me/language", {})).status).toBe(400);
  });

  it("lets an admin set another user's language, and only an admin", async () => {
    const { url, auth } = await start();
    const admin = await login(url, "admin", PASSWORD);
    const set = await admin("PATCH", "/api/v1/users/carla", { language: "de" });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ name: "carla", language: "de" });
    expect(auth.users().find((u) => u.name === "carla")?.language).toBe("de");
    const carla = await login(url, "carla", "clerk password 1");
    expect((await carla("GET", "/api/v1/me", undefined, { "accept-language": "en" })).body.language).toBe("de");
    expect((await carla("PATCH", "/api/v1/users/admin", { language: "de" })).status).toBe(403);
    expect((await admin("PATCH", "/api/v1/users/carla", { language: "klingon" })).status).toBe(400);
  });

  it("keeps the choice across a restart", async () => {
    const { url, files } = await start();
    const carla = await login(url, "carla", "clerk password 1");
    await carla("PUT", "/api/v1/me/language", { language: "de" });
    const reopened = await AuthService.open({
      dataDir: "/d",
      logger: silentLogger(),
      clock: new ManualClock(Date.now()),
      openStore: memoryStoreOpener(files),
    });
    expect(reopened.languageOf("carla")).toBe("de");
    expect(reopened.languageOf("admin")).toBeUndefined();
  });
});
