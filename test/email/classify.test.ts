/**
 * Each usual setup mistake gives its own failure class, against real sockets on loopback:
 * nothing listening, a TLS handshake with a plain server, a wrong password, a relay that will
 * not relay. The same classes come back from POST /api/v1/email/test (email-e2e covers the route).
 */
import { afterEach, describe, expect, it } from "vitest";
import { Value } from "@sinclair/typebox/value";
import { EmailSection } from "../../src/config/sections/email.js";
import type { Config } from "../../src/config/schema.js";
import { SmtpTransport } from "../../src/email/smtp-transport.js";
import { DuegateError, ErrorCode } from "../../src/core/errors.js";
import { freePort } from "../bridge/helpers/mosquitto.js";
import { startSmtp } from "./helpers/smtp.js";

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function transport(over: Partial<Config["email"]>): SmtpTransport {
  const c = {
    ...(Value.Default(EmailSection, {}) as Config["email"]),
    enabled: true,
    host: "127.0.0.1",
    secure: "none" as const,
    from: "billing@example.com",
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 3000,
    ...over,
  };
  const t = new SmtpTransport(c, "Acme");
  cleanups.push(() => t.close());
  return t;
}

const mail = {
  to: "debtor@example.org",
  subject: "s",
  text: "t",
  html: "",
  messageId: "<m1.gw@example.com>",
  headers: {},
};

async function failure(t: SmtpTransport): Promise<DuegateError> {
  const e = await t.send(mail).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(DuegateError);
  return e as DuegateError;
}

describe("SMTP failure classes", () => {
  it("connection refused: temporary, the relay's fault", async () => {
    const e = await failure(transport({ port: await freePort() }));
    expect(e.code).toBe(ErrorCode.EmailTemporary);
    expect(e.context).toMatchObject({ failureClass: "connection-refused", connectionLevel: true });
    expect(e.message).toMatch(/email\.host:email\.port/);
  });

  it("TLS expected, plain server: tls", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const e = await failure(transport({ port: smtp.port, secure: "tls" }));
    expect(e.context.failureClass).toBe("tls");
  });

  it("STARTTLS required, server offers none: tls", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    const e = await failure(transport({ port: smtp.port, secure: "starttls" }));
    expect(e.context.failureClass).toBe("tls");
  });

  it("wrong password: authentication", async () => {
    const smtp = await startSmtp({ auth: { user: "gw", pass: "right" } });
    cleanups.push(() => smtp.close());
    const e = await failure(transport({ port: smtp.port, user: "gw", password: "wrong" }));
    expect(e.code).toBe(ErrorCode.EmailTemporary);
    expect(e.context).toMatchObject({ failureClass: "authentication", smtpCode: 535 });
    expect(e.message).not.toContain("wrong");
    const ok = await transport({ port: smtp.port, user: "gw", password: "right" }).send(mail);
    expect(ok.response).toMatch(/^250/);
  });

  it("relay denied: permanent for this mail, with the server's answer", async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.close());
    smtp.onRcpt = () => ({ code: 554, message: "5.7.1 Relay access denied" });
    const e = await failure(transport({ port: smtp.port }));
    expect(e.code).toBe(ErrorCode.EmailRejected);
    expect(e.context).toMatchObject({ failureClass: "relay-denied", smtpCode: 554 });
    expect(e.message).toMatch(/554 5\.7\.1 Relay access denied/);
  });
});
