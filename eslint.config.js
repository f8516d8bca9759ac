// Lint rules, including the import rules of docs/architecture.md ("Layers"):
// each layer may only reach the layers below it, as zwave-js enforces its package layering.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import importX, { createNodeResolver } from "eslint-plugin-import-x";

const SERIAL = ["serialport", "@serialport/*"];
const BROKER = ["mqtt", "aedes"];
const WEB = ["fastify", "@fastify/*"];
const LOWDB = ["lowdb", "lowdb/*"];
const MAIL = ["nodemailer", "smtp-server"];
const io = [
  ...SERIAL,
  ...BROKER,
  ...WEB,
  ...LOWDB,
  "croner",
  "node:fs",
  "node:fs/promises",
  "node:net",
  "node:child_process",
];
/**
 * The layers of src/, lowest first (docs/architecture.md, "Layers"). A folder imports only from
 * layers below its own; `alsoForbid` narrows a folder further, `typesOnly` lets it import the
 * types (and nothing that runs) of a folder it may not otherwise use.
 */
const DOMAIN = ["ledger", "dunning", "outbox", "inbound", "consent", "desk"];
const ADAPTERS = ["http", "bridge", "email", "modem"];
const APP_FILES = ["app.js", "app-services.js", "app-facts.js", "main.js"];
const LAYERS = [
  { layer: "the value kernel", folders: ["core"] },
  { layer: "codecs, storage, the wire contract and access", folders: ["sms", "store", "api", "auth"] },
  { layer: "configuration", folders: ["config"] },
  { layer: "the operating system", folders: ["system"] },
  { layer: "the domain", folders: DOMAIN },
  { layer: "the application layer", folders: ["service"] },
  { layer: "the adapters", folders: [...ADAPTERS, "metrics"] },
  { layer: "the composition root", files: APP_FILES },
  { layer: "the command line", folders: ["cli", "demo"] },
];
/** Narrower than the layer order: who may not use a folder beside or below it. */
const NARROWER = {
  // The kernel and the codecs stand alone: each imports the kernel at most.
  core: { alsoForbid: ["sms", "store", "api", "auth"] },
  sms: { alsoForbid: ["store", "api", "auth"] },
  store: { alsoForbid: ["sms", "api", "auth"] },
  api: { alsoForbid: ["sms", "store", "auth"] },
  // Access keeps its users and keys in the data directory, through the one store.
  auth: { alsoForbid: ["sms", "api"] },
  // The domain is testable without the machine: settings reach it as values, described by the config's types.
  ...Object.fromEntries(DOMAIN.map((d) => [d, { alsoForbid: ["system", "auth"], typesOnly: ["config"] }])),
  service: { alsoForbid: ["system", "auth"], typesOnly: ["config"] },
  // Adapters never import each other: what two of them share lives in the application layer or below.
  ...Object.fromEntries(ADAPTERS.map((a) => [a, { alsoForbid: ADAPTERS.filter((b) => b !== a) }])),
  metrics: { alsoForbid: ADAPTERS },
};
const folderPattern = (f) => `**/${f}/**`;
function layerRules() {
  return LAYERS.flatMap(({ folders = [] }, i) =>
    folders.flatMap((folder) => {
      const above = LAYERS.slice(i + 1);
      const higherFolders = above.flatMap((l) => l.folders ?? []);
      const higherFiles = above.flatMap((l) => l.files ?? []);
      const { alsoForbid = [], typesOnly = [] } = NARROWER[folder] ?? {};
      const forbidden = [...new Set([...higherFolders, ...alsoForbid])].filter((f) => !typesOnly.includes(f));
      const message = `src/${folder}/ is ${LAYERS[i].layer}: it may not import this (docs/architecture.md, Layers)`;
      const patterns = [
        { group: [...forbidden.map(folderPattern), ...higherFiles.map((f) => `**/${f}`)], message },
        ...typesOnly.map((f) => ({
          group: [folderPattern(f)],
          allowTypeImports: true,
          message: `src/${folder}/ may import only the types of src/${f}/ (import type): settings reach it as values`,
        })),
      ].filter((p) => p.group.length > 0);
      if (patterns.length === 0) return [];
      return [
        {
          files: [`src/${folder}/**/*.ts`],
          rules: { "@typescript-eslint/no-restricted-imports": ["error", { patterns }] },
        },
      ];
    }),
  );
}

const pattern = (names, message) => names.map((group) => ({ group: [group], message }));
const forbid = (files, groups, message) => ({
  files,
  rules: { "no-restricted-imports": ["error", { patterns: pattern(groups, message) }] },
});

export default tseslint.config(
  {
    ignores: ["dist/**", "node_modules/**", "web/vendor/**", "test-results/**", "coverage/**", "data/**", ".reltmp/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: "readonly",
        console: "readonly",
        setTimeout: "readonly",
        clearTimeout: "readonly",
        setInterval: "readonly",
        clearInterval: "readonly",
        Buffer: "readonly",
        URL: "readonly",
        document: "readonly",
        window: "readonly",
        fetch: "readonly",
        EventSource: "readonly",
        localStorage: "readonly",
        location: "readonly",
        navigator: "readonly",
        setImmediate: "readonly",
        queueMicrotask: "readonly",
        performance: "readonly",
        structuredClone: "readonly",
        AbortController: "readonly",
        AbortSignal: "readonly",
      },
    },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  // The libraries each folder may not touch. Imports between the project's folders are the layer
  // rules' job (layerRules below); listed here are only the folders a layer would allow but this
  // folder must still not use.
  forbid(["src/sms/**"], io, "sms/ is a pure codec: no I/O, no domain (docs/architecture.md, Layers)"),
  forbid(
    ["src/modem/**"],
    [...BROKER, ...WEB, ...LOWDB, "croner", "**/store/**", ...DOMAIN.map((d) => `**/${d}/**`)],
    "modem/ may import only sms/ and core/ (docs/architecture.md, Layers)",
  ),
  forbid(
    DOMAIN.filter((d) => d !== "desk").map((d) => `src/${d}/**`),
    [...SERIAL, ...BROKER, ...WEB, ...LOWDB, "croner", "node:net", ...MAIL],
    "the domain never touches a port, a broker, a web server or lowdb: use a port from its ports.ts (docs/architecture.md, Layers)",
  ),
  forbid(
    ["src/email/**"],
    [...SERIAL, ...BROKER, ...WEB, ...LOWDB, "**/store/**", "**/ledger/**", "**/dunning/**", "**/inbound/**"],
    "email/ is the SMTP adapter: it implements the outbox's EmailTransport port and knows nothing else of the domain",
  ),
  forbid(["src/store/**"], [...SERIAL, ...BROKER, ...WEB], "store/ is storage only"),
  forbid(
    ["src/bridge/**", "src/http/**"],
    [...SERIAL, ...LOWDB, "**/store/**"],
    "adapters talk to the domain, never to the port or the files directly",
  ),
  forbid(
    ["src/core/**"],
    [...SERIAL, ...BROKER, ...WEB, ...LOWDB, "croner"],
    "core/ is the shared kernel: it imports nothing of the project",
  ),
  forbid(
    ["src/app.ts", "src/compose/**"],
    ["**/cli/**"],
    "the composition root serves the duegate command, never the reverse: shared helpers live in src/config/ or src/system/",
  ),
  ...layerRules(),
  // No import cycles in src/: a cycle makes start-up order depend on who imported whom first.
  {
    files: ["src/**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [
        createNodeResolver({ extensions: [".ts", ".js"], extensionAlias: { ".js": [".ts", ".js"] } }),
      ],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    files: ["test/**", "bench/**", "scripts/**"],
    rules: { "no-console": "off", "@typescript-eslint/no-non-null-assertion": "off" },
  },
);
