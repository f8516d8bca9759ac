import { Type } from "@sinclair/typebox";
import { facts } from "../setting-facts.js";

export const MqttSection = Type.Object(
  {
    mode: Type.Union([Type.Literal("embedded"), Type.Literal("external"), Type.Literal("off")], {
      ...facts({
        label: "Broker",
        choices: {
          embedded: "on this appliance (embedded)",
          external: "the company's broker (external)",
          off: "off: HTTP only",
        },
        editable: true,
      }),
      default: "embedded",
      description: "embedded: run a broker (aedes) on the appliance; external: connect to url; off: HTTP only.",
    }),
    url: Type.String({
      ...facts({
        label: "Broker address",
        hint: "For an external broker: mqtt://, mqtts://, ws:// or wss://.",
        editable: true,
      }),
      default: "mqtt://127.0.0.1:1883",
      description: "Broker URL for external mode: mqtt://, mqtts://, ws://, wss://.",
    }),
    username: Type.String({ ...facts({ label: "User name at the broker", editable: true }), default: "" }),
    password: Type.String({
      ...facts({ label: "Password at the broker", secret: true, editable: true }),
      default: "",
      description: "Never logged.",
    }),
    baseTopic: Type.String({
      ...facts({
        label: "Base topic",
        hint: "All topics live under <base topic>/<gateway id>/.",
        format: "topic levels like duegate or office/billing, without + or #",
        editable: true,
      }),
      default: "duegate",
      pattern: "^[^+#/\\u0000]+(/[^+#/\\u0000]+)*$",
      description: "All topics live under <baseTopic>/<gateway id>/...",
    }),
    clientId: Type.String({ default: "", description: "Default: duegate-<gateway id>." }),
    ca: Type.String({
      ...facts({
        label: "CA certificate file",
        hint: "Path of the CA certificate (PEM) for mqtts:// or wss://.",
        editable: true,
      }),
      default: "",
      description: "Path of a CA certificate (PEM) for mqtts/wss.",
    }),
    cert: Type.String({
      ...facts({ label: "Client certificate file", editable: true }),
      default: "",
      description: "Path of a client certificate (PEM).",
    }),
    key: Type.String({
      ...facts({ label: "Client key file", hint: "A file path; the key itself stays in the file.", editable: true }),
      default: "",
      description: "Path of the client key (PEM).",
    }),
    rejectUnauthorized: Type.Boolean({
      ...facts({ label: "Check the broker's certificate", editable: true }),
      default: true,
      description: "Check the broker's TLS certificate (turn off only for a self-signed test broker).",
    }),
    protocolVersion: Type.Union([Type.Literal(4), Type.Literal(5)], {
      default: 4,
      description: "4: MQTT 3.1.1 (works with every broker, the embedded one included); 5: MQTT 5.",
    }),
    keepaliveSeconds: Type.Integer({ default: 30, minimum: 5, maximum: 600, description: "MQTT keepalive." }),
    reconnectPeriodMs: Type.Integer({
      default: 2000,
      minimum: 100,
      maximum: 300000,
      description: "Wait between reconnect attempts.",
    }),
    sessionExpirySeconds: Type.Integer({
      default: 604800,
      minimum: 0,
      description:
        "MQTT 5 only: how long the broker keeps the session (subscriptions, queued messages) while the gateway is away.",
    }),
    sharedSendGroup: Type.String({
      default: "",
      pattern: "^[A-Za-z0-9_-]*$",
      description:
        "Several gateways sharing send work: each also takes send requests from <baseTopic>/shared/send through the shared subscription $share/<group>/... (empty: off).",
    }),
    maxBatch: Type.Integer({
      default: 5000,
      minimum: 1,
      maximum: 100000,
      description: "Most records in one ingest message; a bigger batch is refused whole.",
    }),
    maxInflight: Type.Integer({
      default: 100,
      minimum: 1,
      maximum: 65000,
      description: "Events published and not yet acknowledged by the broker, at most.",
    }),
    journalMaxEvents: Type.Integer({
      default: 100000,
      minimum: 100,
      description:
        "Undelivered events kept on disk while the broker is away; beyond it the oldest is dropped (logged).",
    }),
    statusIntervalMs: Type.Integer({
      default: 60000,
      minimum: 1000,
      description:
        "How often the retained status (each modem's figures, queue depth) is refreshed; a modem's health, rotation or credit change publishes it at once.",
    }),
    embedded: Type.Object(
      {
        host: Type.String({
          default: "127.0.0.1",
          description:
            "Address of the plain (unencrypted) MQTT listener. Loopback by default: the LAN reaches the broker over TLS (embedded.tls). Another address is warned about at every start and by duegate doctor.",
        }),
        port: Type.Integer({
          default: 1883,
          minimum: 0,
          maximum: 65535,
          description: "Port of the plain listener; 0 lets the system pick a free one (tests).",
        }),
        username: Type.String({
          default: "",
          description:
            'The accounting server\'s user name. Empty: user "accounting" with a password generated at first start (shown once in the log; an admin rotates it in the web panel).',
        }),
        password: Type.String({
          ...facts({ label: "Accounting server's password", secret: true }),
          default: "",
          description:
            "The accounting server's password when set here (then not rotatable in the panel). Never logged.",
        }),
        allowAnonymousLoopback: Type.Boolean({
          default: false,
          description:
            "Let clients without a user name connect from 127.0.0.1/::1 with the accounting server's rights (development only). Anonymous clients from any other address are always refused.",
        }),
        readers: Type.Array(
          Type.Object({
            username: Type.String({
              minLength: 1,
              description: "User name of a read-only client (dashboards, monitoring).",
            }),
            password: Type.String({
              ...facts({ label: "Read-only user's password", secret: true }),
              minLength: 1,
              description: "Its password, in clear or as a scrypt hash (scrypt$...). Never logged.",
            }),
          }),
          {
            default: [],
            description:
              "Read-only users: they may subscribe to the event topics (status, message/state, inbound, keyword/+, account/+, error) and nothing else.",
          },
        ),
        maxPacketBytes: Type.Integer({
          default: 0,
          minimum: 0,
          description:
            "Largest MQTT packet a client may send; a bigger one closes the connection before it is read. 0: sized from mqtt.maxBatch (2 KiB per record plus 64 KiB).",
        }),
        authFailuresBeforeLock: Type.Integer({
          default: 5,
          minimum: 1,
          maximum: 1000,
          description:
            "Wrong passwords from one address before it is locked out; each further failure doubles the lock (30 s up to 15 min).",
        }),
        tls: Type.Object(
          {
            enabled: Type.Boolean({
              default: true,
              description: "Run an mqtts listener with the appliance's certificate (src/system/tls-certificate.ts).",
            }),
            host: Type.String({ default: "0.0.0.0", description: "Address of the mqtts listener (the LAN's way in)." }),
            port: Type.Integer({
              default: 8883,
              minimum: 0,
              maximum: 65535,
              description: "Port of the mqtts listener; 0 lets the system pick a free one (tests).",
            }),
            certFile: Type.String({
              default: "",
              description:
                "PEM certificate to present; empty: the appliance's own (generated self-signed in <dataDir>/tls unless configured). Give both files or neither.",
            }),
            keyFile: Type.String({ default: "", description: "PEM private key of certFile." }),
          },
          { default: {}, description: "The TLS listener of the embedded broker." },
        ),
      },
      { default: {} },
    ),
  },
  {
    ...facts({ label: "MQTT", hint: "The bridge reconnects when these are saved." }),
    default: {},
    description: "The link to the accounting server over MQTT.",
  },
);
