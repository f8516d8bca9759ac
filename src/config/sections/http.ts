import { Type } from "@sinclair/typebox";

export const HttpSection = Type.Object(
  {
    listen: Type.String({ default: "127.0.0.1:8080", description: "host:port of the HTTP API and web panel. 0.0.0.0:8080 to reach it from the LAN." }),
    bodyLimitBytes: Type.Integer({ default: 5_000_000, minimum: 1024, description: "Largest request body (bulk imports)." }),
    adminPassword: Type.String({ default: "", description: "Password of the admin user created at first start; empty generates one and prints it once to the log." }),
    secureCookies: Type.Boolean({ default: false, description: "Mark the session cookie Secure (turn on behind HTTPS)." }),
    webhooks: Type.Array(
      Type.Object({ url: Type.String(), secret: Type.String({ description: "HMAC-SHA256 key; never logged." }), events: Type.Array(Type.String(), { default: [] }) }),
      { default: [], description: "Accounting servers that prefer HTTP push: events POSTed, signed, retried." },
    ),
  },
  { default: {}, description: "HTTP API and web panel." },
);
