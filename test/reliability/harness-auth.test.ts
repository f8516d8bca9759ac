/**
 * The in-process appliance of the reliability suites (harness/appliance.ts) works through the
 * app's own auth service. A second AuthService on the same auth.json keeps its own copy of the
 * users, keys and server-side sessions, and whichever copy is saved last overwrites the other:
 * a user or a session the suites make would then be unknown to the app they attack.
 */
import { describe, expect, it } from "vitest";
import { startInProcess, VIEWER_PASSWORD } from "./harness/appliance.js";

describe("reliability harness: one auth service", () => {
  it("users, keys and sessions made through the harness are the app's own", async () => {
    const a = await startInProcess({ web: false });
    try {
      const own = a.app.services.auth;
      expect(own.users().map((u) => u.name)).toContain("viewer");
      expect(own.apiKeys().map((k) => k.name)).toEqual(expect.arrayContaining(["reader", "writer"]));
      const login = await a.server.inject({
        method: "POST",
        url: "/api/v1/login",
        payload: { name: "viewer", password: VIEWER_PASSWORD },
      });
      expect(login.statusCode).toBe(200);
      expect(own.sessionCount("viewer")).toBe(1);
      expect(a.auth).toBe(own);
    } finally {
      await a.stop();
    }
  });
});
