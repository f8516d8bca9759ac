// Rewrites the generated parts of docs/mqtt.md and docs/http.md (schema blocks, record limits) from src/api/payloads.ts: `npm run docs:api`.
import { readFileSync, writeFileSync } from "node:fs";
import { withGeneratedParts } from "../src/api/docs.js";

for (const name of ["mqtt.md", "http.md"]) {
  const file = new URL(`../docs/${name}`, import.meta.url);
  writeFileSync(file, withGeneratedParts(readFileSync(file, "utf8")));
  console.log(`docs/${name} written`);
}
