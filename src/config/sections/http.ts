import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

export const HttpSection = Type.Object(
  {
    listen: Type.String({
      default: "127.0.0.1:8080",
      description:
        "host:port of the API and web panel. 0.0.0.0:8080 to reach it from the LAN (then over HTTPS, see http.tls).",
    }),
    tls: Type.Union([Type.Literal("auto"), Type.Literal("on"), Type.Literal("off")], {
      default: "auto",
      description:
        "HTTPS for the API and web panel. auto: on whenever http.listen is not a loopback address, so that passwords and debtors' data never cross the LAN in clear; on: always; off: plain HTTP even on the LAN (duegate doctor and the log warn). The certificate is http.certFile/http.keyFile, or the appliance's own self-signed one (its SHA-256 fingerprint is logged at start and shown by duegate doctor).",
    }),
    certFile: Type.String({
      default: "",
      description:
        "PEM certificate for HTTPS (with its chain), e.g. from the company's CA. Empty: the certificate duegate generates in <dataDir>/tls, shared with the embedded broker.",
    }),
    keyFile: Type.String({
      default: "",
      description: "PEM private key of http.certFile; give both or neither. Never logged.",
    }),
    redirectFrom: Type.String({
      default: "",
      description:
        "host:port of a second, plain-HTTP listener that only redirects (308) to the HTTPS panel, e.g. 0.0.0.0:80 so that a typed http:// address still arrives. It serves nothing else. Empty: none. Needs HTTPS on (http.tls).",
    }),
    bodyLimitBytes: Type.Integer({
      default: 5_000_000,
      minimum: 1024,
      description: "Largest request body (bulk imports).",
    }),
    adminPassword: Type.String({
      ...facts({ label: "First admin password", secret: true }),
      default: "",
      description:
        "Password of the admin user created at first start; empty generates one and prints it once to the log.",
    }),
    secureCookies: Type.Boolean({
      default: false,
      description:
        "Mark the session cookie Secure and send HSTS even though duegate itself serves plain HTTP: for a TLS-terminating proxy in front of it. With http.tls on, cookies are Secure anyway.",
    }),
    rateLimitPerMinute: Type.Integer({
      default: 600,
      minimum: 1,
      description:
        "Requests per minute per API key, or per client address for requests without one, on /api/v1, the panel's data and its pages (HTTP 429 with retry-after beyond; /health, /metrics and static files are not counted).",
    }),
    allowedHosts: Type.Array(Type.String({ minLength: 1, maxLength: 253 }), {
      default: [],
      description:
        'Names the appliance answers to in the Host header, besides the ones always allowed: localhost, the loopback addresses, this machine\'s host name, <hostname>.local and every address of its interfaces (read at start). Any other Host gets 421 (a DNS rebinding guard). Add the DNS name you reach it by; ["*"] turns the check off.',
    }),
    metricsAccess: Type.Union([Type.Literal("loopback-or-key"), Type.Literal("key")], {
      default: "loopback-or-key",
      description:
        "Who may read /metrics: loopback-or-key serves this machine without a key and everyone else with an API key of scope metrics or read; key asks everyone for such a key.",
    }),
    importMaxRows: Type.Integer({ default: 100000, minimum: 1, description: "Most rows in one bulk import." }),
    importMaxBytes: Type.Integer({
      default: 64 * 1024 * 1024,
      minimum: 1024,
      description:
        "Largest body of a bulk import (POST /api/v1/import/...). The file is read as a stream in batches, so this bounds the request, not the memory.",
    }),
    webhookTimeoutMs: Type.Integer({
      default: 10000,
      minimum: 100,
      description: "How long one webhook POST may take.",
    }),
    webhookMaxBackoffMs: Type.Integer({
      default: 600000,
      minimum: 1000,
      description: "Longest wait between retries of a webhook (backoff doubles up to it).",
    }),
    webhookMaxAgeHours: Type.Integer({
      default: 72,
      minimum: 1,
      description: "An event a receiver has not taken after this long is dropped (logged).",
    }),
    webhooks: Type.Array(
      Type.Object({
        url: Type.String(),
        secret: Type.String({
          ...facts({ label: "Webhook signing key", secret: true }),
          description: "HMAC-SHA256 key; never logged.",
        }),
        events: Type.Array(Type.String(), { default: [] }),
      }),
      { default: [], description: "Accounting servers that prefer HTTP push: events POSTed, signed, retried." },
    ),
  },
  { default: {}, description: "HTTP API and web panel." },
);
