import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { EVENT_NAMES, EVENT_TABLE, type EventEntry } from "../../src/api/events.js";
import { eventTopic, OUT_TOPICS } from "../../src/api/topics.js";
import { check } from "../../src/api/validate.js";
import { contractModule } from "../../src/http/web/contract.js";

describe("domain events are one table", () => {
  it("gives each published event its topic from the table, filling a level from the payload only when it is safe", () => {
    expect(eventTopic("message.state", {})).toBe("message/state");
    expect(eventTopic("keyword.action", { keyword: "stop" })).toBe("keyword/stop");
    expect(eventTopic("keyword.action", { keyword: "a/#" })).toBeUndefined();
    expect(eventTopic("ledger.changed", {})).toBeUndefined();
    expect(eventTopic("no.such.event", {})).toBeUndefined();
    const published = EVENT_NAMES.filter((n) => (EVENT_TABLE[n] as EventEntry).topic);
    expect(OUT_TOPICS.filter((t) => t.event).map((t) => t.event)).toEqual(published);
  });

  it("describes the payloads the gateway emits: a real message state event passes its schema, a wrong state does not", () => {
    const event = {
      id: "m_1",
      idempotencyKey: "send:x",
      state: "delivered",
      to: "+49176***678",
      origin: { kind: "api" },
      parts: 1,
      at: 1,
    };
    expect(check(EVENT_TABLE["message.state"].schema, event).ok).toBe(true);
    const wrong = check(EVENT_TABLE["message.state"].schema, { ...event, state: "sent" });
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.problems[0]!.field).toBe("/state");
  });

  it("reaches the browser's live feed and docs/mqtt.md from the same table", async () => {
    const mod = (await import(`data:text/javascript,${encodeURIComponent(contractModule())}`)) as {
      LIVE_EVENTS: readonly string[];
    };
    expect(mod.LIVE_EVENTS).toEqual(["snapshot", "stats", ...EVENT_NAMES]);
    const doc = readFileSync(new URL("../../docs/mqtt.md", import.meta.url), "utf8");
    for (const t of OUT_TOPICS.filter((x) => x.event))
      expect(doc, t.topic).toContain(`<code>$P/${t.topic}</code> (${t.event})`);
    expect(readFileSync(new URL("../../web/app/live.js", import.meta.url), "utf8")).not.toMatch(
      /"message\.state",\s*"inbound\.received"/,
    );
  });
});
