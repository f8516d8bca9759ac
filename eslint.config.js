// Lint rules, including the import rules of docs/architecture.md ("Layers"):
// each layer may only reach the layers below it, as zwave-js enforces its package layering.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const io = ["serialport", "@serialport/*", "mqtt", "aedes", "fastify", "@fastify/*", "lowdb", "lowdb/*", "croner", "node:fs", "node:fs/promises", "node:net", "node:child_process"];
const pattern = (names, message) => names.map((group) => ({ group: [group], message }));
const forbid = (files, groups, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: pattern(groups, message) }] },
});

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "web/vendor/**", "test-results/**", "coverage/**", "data/**", ".reltmp/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly", setTimeout: "readonly", clearTimeout: "readonly", setInterval: "readonly", clearInterval: "readonly", Buffer: "readonly", URL: "readonly", document: "readonly", window: "readonly", fetch: "readonly", EventSource: "readonly", localStorage: "readonly", location: "readonly", navigator: "readonly", setImmediate: "readonly", queueMicrotask: "readonly", performance: "readonly", structuredClone: "readonly", AbortController: "readonly", AbortSignal: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  forbid(["src/sms/**"], [...io, "**/modem/**", "**/store/**", "**/outbox/**", "**/ledger/**", "**/dunning/**", "**/inbound/**", "**/bridge/**", "**/http/**"], "sms/ is a pure codec: no I/O, no domain (docs/architecture.md, Layers)"),
  forbid(["src/modem/**"], ["mqtt", "aedes", "fastify", "@fastify/*", "lowdb", "lowdb/*", "croner", "**/store/**", "**/outbox/**", "**/ledger/**", "**/dunning/**", "**/inbound/**", "**/bridge/**", "**/http/**"], "modem/ may import only sms/ and core/ (docs/architecture.md, Layers)"),
  forbid(["src/ledger/**", "src/dunning/**", "src/outbox/**", "src/inbound/**", "src/consent/**"], ["serialport", "@serialport/*", "mqtt", "aedes", "fastify", "@fastify/*", "lowdb", "lowdb/*", "croner", "node:net", "nodemailer", "smtp-server", "**/modem/**", "**/bridge/**", "**/http/**", "**/email/**"], "the domain never touches a port, a broker, a web server or lowdb: use a port from its ports.ts (docs/architecture.md, Layers)"),
  forbid(["src/email/**"], ["serialport", "@serialport/*", "mqtt", "aedes", "fastify", "@fastify/*", "lowdb", "lowdb/*", "**/modem/**", "**/store/**", "**/ledger/**", "**/dunning/**", "**/inbound/**", "**/bridge/**", "**/http/**"], "email/ is the SMTP adapter: it implements the outbox's EmailTransport port and knows nothing else of the domain"),
  forbid(["src/store/**"], ["serialport", "@serialport/*", "mqtt", "aedes", "fastify", "@fastify/*", "**/modem/**", "**/bridge/**", "**/http/**"], "store/ is storage only"),
  forbid(["src/bridge/**", "src/http/**"], ["serialport", "@serialport/*", "lowdb", "lowdb/*", "**/modem/at/**", "**/modem/transport/**", "**/modem/driver/**", "**/store/**"], "adapters talk to the domain, never to the port or the files directly"),
  forbid(["src/core/**"], ["serialport", "@serialport/*", "mqtt", "aedes", "fastify", "@fastify/*", "lowdb", "lowdb/*", "croner", "**/modem/**", "**/store/**", "**/outbox/**", "**/ledger/**", "**/dunning/**", "**/inbound/**", "**/bridge/**", "**/http/**", "**/sms/**"], "core/ is the shared kernel: it imports nothing of the project"),
  {
    files: ["test/**", "bench/**", "scripts/**"],
    rules: { "no-console": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
