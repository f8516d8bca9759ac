import type { TSchema } from "@sinclair/typebox";
import { ConfigSchema } from "./schema.js";
import { envToPath } from "./load.js";
import { factsOf } from "./setting-facts.js";

interface Node {
  type?: string;
  description?: string;
  default?: unknown;
  properties?: Record<string, Node>;
  anyOf?: Node[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  pattern?: string;
  items?: Node;
}

function envName(path: string): string {
  const name =
    "DUEGATE_" +
    path
      .split(".")
      .map((seg) => seg.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase())
      .join("__");
  if (envToPath(name) !== path) throw new Error(`environment name for ${path} does not map back`);
  return name;
}

function typeOf(n: Node): string {
  if (n.anyOf) return n.anyOf.map((a) => (a.const !== undefined ? JSON.stringify(a.const) : typeOf(a))).join(" \\| ");
  if (n.type === "array") return `list of ${n.items ? typeOf(n.items) : "values"}`;
  const range = [n.minimum !== undefined ? `>= ${n.minimum}` : "", n.maximum !== undefined ? `<= ${n.maximum}` : ""]
    .filter(Boolean)
    .join(", ");
  return `${n.type ?? "any"}${range ? ` (${range})` : ""}`;
}

/** The settings page column: the field's label and when a change takes effect; secret or not. */
function onPage(n: Node): string {
  const f = factsOf(n as TSchema);
  const page = f?.editable ? `${f.label}, ${f.restart ? "after a restart" : "at once"}` : "–";
  return f?.secret ? `${page}; secret` : page;
}

/** docs/configuration.md, generated from the schema so that it cannot drift from it. */
export function configurationMarkdown(): string {
  const lines: string[] = [
    "# Configuration",
    "",
    "<!-- Generated from src/config/sections/*.ts by `npm run docs:config`; do not edit by hand. -->",
    "",
    "duegate reads one YAML file: `./duegate.yaml`, or the file given with `--config FILE`",
    "(`/etc/duegate/duegate.yaml` on an appliance). Every key has a default, so an empty file is a",
    "working configuration: simulated modem, embedded MQTT broker, web panel on 127.0.0.1:8080.",
    "",
    "Each key can be overridden by an environment variable: `DUEGATE_` followed by the key path in",
    "upper case, sections separated by two underscores (`outbox.sendWindow.start` is",
    "`DUEGATE_OUTBOX__SEND_WINDOW__START`). The main ones also have command-line flags",
    "(`duegate run --help`).",
    "",
    "Some keys can also be changed in the web panel (Settings, administrators only): the send",
    "window, limits and retries, the reminder and reply options, the company details, MQTT and the",
    "SMTP relay. The column *settings page* names them by the label the page shows and says when a",
    "change takes effect; *secret* keys are never shown (only set / not set) and never logged.",
    "Those changes are saved in the data directory as `<dataDir>/settings.yaml` (the file in /etc",
    "is read-only to the service) and merged on top of the file. Precedence, highest first:",
    "flags, then environment, then the panel's settings.yaml, then the file, then defaults.",
    "The `modems:` list is changed on the panel's Modem page, modem by modem, and saved in the same",
    'file; once saved there it replaces the file\'s list (docs/modems.md, "Pool: from the panel").',
    "",
    "The configuration is validated at start. An invalid one stops the service with every problem",
    "listed as `key: value is invalid, expected ...`; an unknown key (a typo) is an error too.",
    "",
  ];
  const walk = (node: Node, path: string, depth: number): void => {
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      const p = path ? `${path}.${key}` : key;
      if (child.type === "object" && child.properties) {
        lines.push(`${"#".repeat(Math.min(depth + 2, 4))} \`${p}\``, "");
        if (child.description) lines.push(child.description, "");
        lines.push(
          "| key | type | default | environment | settings page | meaning |",
          "| --- | --- | --- | --- | --- | --- |",
        );
        const leaves = Object.entries(child.properties).filter(([, c]) => !(c.type === "object" && c.properties));
        for (const [k, c] of leaves) {
          const def = c.default === undefined ? "" : `\`${JSON.stringify(c.default)}\``;
          lines.push(
            `| \`${p}.${k}\` | ${typeOf(c)} | ${def} | \`${envName(`${p}.${k}`)}\` | ${onPage(c)} | ${(c.description ?? "").replace(/\|/g, "\\|")} |`,
          );
        }
        lines.push("");
        const nested = {
          properties: Object.fromEntries(
            Object.entries(child.properties).filter(([, c]) => c.type === "object" && c.properties),
          ),
        };
        walk(nested, p, depth + 1);
      }
    }
  };
  walk(ConfigSchema as TSchema as Node, "", 0);
  return lines.join("\n");
}
