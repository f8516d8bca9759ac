import { Type } from "@sinclair/typebox";

export const MqttSection = Type.Object(
  {
    mode: Type.Union([Type.Literal("embedded"), Type.Literal("external"), Type.Literal("off")], { default: "embedded", description: "embedded: run a broker (aedes) on the appliance; external: connect to url; off: HTTP only." }),
    url: Type.String({ default: "mqtt://127.0.0.1:1883", description: "Broker URL for external mode: mqtt://, mqtts://, ws://, wss://." }),
    username: Type.String({ default: "" }),
    password: Type.String({ default: "", description: "Never logged." }),
    baseTopic: Type.String({ default: "duegate", description: "All topics live under <baseTopic>/<gateway id>/..." }),
    clientId: Type.String({ default: "", description: "Default: duegate-<gateway id>." }),
    ca: Type.String({ default: "", description: "Path of a CA certificate (PEM) for mqtts/wss." }),
    cert: Type.String({ default: "", description: "Path of a client certificate (PEM)." }),
    key: Type.String({ default: "", description: "Path of the client key (PEM)." }),
    embedded: Type.Object(
      {
        host: Type.String({ default: "0.0.0.0", description: "Address the embedded broker listens on." }),
        port: Type.Integer({ default: 1883, minimum: 1, maximum: 65535 }),
        username: Type.String({ default: "", description: "Credentials the embedded broker requires (empty: none)." }),
        password: Type.String({ default: "" }),
      },
      { default: {} },
    ),
  },
  { default: {}, description: "The link to the accounting server over MQTT." },
);
