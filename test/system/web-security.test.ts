import { afterAll, describe, expect, it } from "vitest";
import { chmodSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Socket } from "node:net";
import { isLoopbackHost } from "../../src/system/network-address.js";
import { httpsEnabled, secureCookiesEnabled } from "../../src/system/tls-policy.js";
import { httpsLocation } from "../../src/http/https-redirect.js";
import { prepareDataDir } from "../../src/system/data-dir.js";
import { isDuegateError } from "../../src/core/errors.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("isLoopbackHost", () => {
  it.each(["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "panel.localhost", "::ffff:127.0.0.1"])(
    "%s stays on this machine",
    (h) => expect(isLoopbackHost(h)).toBe(true),
  );
  it.each(["0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "fe80::1", "duegate.local", "example.com", "128.0.0.1"])(
    "%s may be reached from the LAN",
    (h) => expect(isLoopbackHost(h)).toBe(false),
  );
});

describe("https policy", () => {
  it("auto: HTTPS exactly when the listen address is not loopback", () => {
    expect(httpsEnabled({ listen: "127.0.0.1:8080", tls: "auto" })).toBe(false);
    expect(httpsEnabled({ listen: "[::1]:8080", tls: "auto" })).toBe(false);
    expect(httpsEnabled({ listen: "0.0.0.0:8080", tls: "auto" })).toBe(true);
    expect(httpsEnabled({ listen: "192.168.1.5:8080", tls: "auto" })).toBe(true);
    expect(httpsEnabled({ listen: "0.0.0.0:8080", tls: "off" })).toBe(false);
    expect(httpsEnabled({ listen: "127.0.0.1:8080", tls: "on" })).toBe(true);
  });

  it("cookies are Secure with TLS, or when a TLS proxy is declared", () => {
    expect(secureCookiesEnabled({ listen: "0.0.0.0:8080", tls: "auto", secureCookies: false })).toBe(true);
    expect(secureCookiesEnabled({ listen: "127.0.0.1:8080", tls: "auto", secureCookies: false })).toBe(false);
    expect(secureCookiesEnabled({ listen: "127.0.0.1:8080", tls: "auto", secureCookies: true })).toBe(true);
  });
});

describe("httpsLocation (the redirect listener's target)", () => {
  // Only localAddress is read: a stand-in for the accepted connection.
  const socket = { localAddress: "192.168.1.5" } as unknown as Socket;
  const at = (url: string, host?: string) =>
    httpsLocation({ url, headers: host === undefined ? {} : { host }, socket }, 8443);

  it("keeps the host name from the Host header and the path", () => {
    expect(at("/login?next=/messages", "duegate.local:8080")).toBe("https://duegate.local:8443/login?next=/messages");
    expect(at("/", "192.168.1.5")).toBe("https://192.168.1.5:8443/");
    expect(at("/x", "[fe80::1]:80")).toBe("https://[fe80::1]:8443/x");
  });

  it("falls back to the local address for a missing or hostile Host header", () => {
    for (const host of [
      undefined,
      "",
      "evil.example/@x",
      "a b",
      "evil.example\r\nx: y",
      "user@evil.example",
      "[not-ip]",
    ])
      expect(at("/x", host)).toBe("https://192.168.1.5:8443/x");
  });

  it("never redirects to another origin through the request target", () => {
    expect(at("//evil.example/x", "duegate.local")).toBe("https://duegate.local:8443/");
    expect(at("http://evil.example/x", "duegate.local")).toBe("https://duegate.local:8443/");
    expect(at("*", "duegate.local")).toBe("https://duegate.local:8443/");
  });

  it("leaves out the port when it is 443", () => {
    expect(httpsLocation({ url: "/", headers: { host: "duegate.local" }, socket }, 443)).toBe("https://duegate.local/");
  });
});

describe("prepareDataDir", () => {
  const temp = () => {
    const d = mkdtempSync(join(tmpdir(), "duegate-datadir-"));
    dirs.push(d);
    return d;
  };

  it("creates a missing directory 0700, parents included", () => {
    const d = join(temp(), "a", "b");
    prepareDataDir(d);
    expect(statSync(d).mode & 0o777).toBe(0o700);
  });

  it.each([0o755, 0o750, 0o705, 0o710, 0o701, 0o777, 0o720])(
    "refuses mode %o with the path, the mode and the command",
    (mode) => {
      const d = temp();
      chmodSync(d, mode);
      try {
        prepareDataDir(d);
        expect.unreachable("accepted an open data directory");
      } catch (e) {
        expect(isDuegateError(e) && e.code).toBe("config.data_dir_unsafe");
        expect((e as Error).message).toContain(`${d} has mode 0${mode.toString(8)}`);
        expect((e as Error).message).toContain(`chmod 700 ${d}`);
      }
    },
  );

  it("accepts 0700 and a stricter 0500", () => {
    const d = temp();
    prepareDataDir(d);
    chmodSync(d, 0o500);
    expect(() => prepareDataDir(d)).not.toThrow();
    chmodSync(d, 0o700);
  });
});
