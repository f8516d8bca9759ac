import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { withGeneratedParts } from "../../src/api/docs.js";
import { AccountUpsert, RECORD_LIMITS } from "../../src/api/payloads.js";
import { IN_TOPICS } from "../../src/api/topics.js";

const read = (name: string) => readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");

describe("the documented payloads are the enforced ones (run npm run docs:api)", () => {
  for (const name of ["mqtt.md", "http.md"]) {
    it(`docs/${name}: every schema block and the record limits table are what the schemas say`, () => {
      const committed = read(name);
      expect(committed).toContain("<!-- record-limits:begin");
      expect(committed).toBe(withGeneratedParts(committed));
    });
  }

  it("docs/mqtt.md shows the JSON Schema of every in-topic", () => {
    const doc = read("mqtt.md");
    for (const t of Object.values(IN_TOPICS)) {
      expect(doc, t.topic).toContain("```json\n" + JSON.stringify(t.schema, null, 2) + "\n```");
    }
  });

  it("the limits table states the reconciled limits: 5 phones, 5 addresses, 32 tags, https-only links of 300 characters, no negative amounts", () => {
    const doc = read("mqtt.md");
    const table = doc.slice(doc.indexOf("<!-- record-limits:begin"), doc.indexOf("<!-- record-limits:end"));
    // An account may be reachable by e-mail only: phones may be empty when emails is not (docs/email.md).
    expect(table).toContain(`| account | \`phones\` | 0–${RECORD_LIMITS.phonesPerAccount} numbers`);
    expect(table).toContain(`| account | \`emails\` | 0–${RECORD_LIMITS.emailsPerAccount} addresses`);
    expect(table).toContain("| account | `phones`, `emails` | at least one number or address between them | ledger |");
    expect(table).toContain(`| account | \`tags\` | at most ${RECORD_LIMITS.tagsPerAccount},`);
    expect(table).toContain(`\`https://\` only, no spaces, at most ${RECORD_LIMITS.paymentLinkMaxLength} characters`);
    expect(table).toContain("| invoice | `amount`, `amountDue` | integer 0 …");
    expect(RECORD_LIMITS).toMatchObject({
      phonesPerAccount: 5,
      emailsPerAccount: 5,
      tagsPerAccount: 32,
      paymentLinkMaxLength: 300,
      amountMin: 0,
    });
  });

  it("the account schema takes its limits from RECORD_LIMITS, the e-mail addresses' too", () => {
    expect(AccountUpsert.properties.phones.maxItems).toBe(RECORD_LIMITS.phonesPerAccount);
    expect(AccountUpsert.properties.emails.maxItems).toBe(RECORD_LIMITS.emailsPerAccount);
  });
});
