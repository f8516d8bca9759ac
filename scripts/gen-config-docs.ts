// Writes docs/configuration.md from the config schema: `npm run docs:config`.
import { writeFileSync } from "node:fs";
import { configurationMarkdown } from "../src/config/docs.js";

writeFileSync(new URL("../docs/configuration.md", import.meta.url), configurationMarkdown() + "\n");
console.log("docs/configuration.md written");
