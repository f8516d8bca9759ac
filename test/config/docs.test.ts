import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { configurationMarkdown } from "../../src/config/docs.js";

describe("docs/configuration.md", () => {
  it("documents every key exactly as the schema defines it (run npm run docs:config)", () => {
    const committed = readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8");
    expect(committed.trim()).toBe(configurationMarkdown().trim());
  });
});
