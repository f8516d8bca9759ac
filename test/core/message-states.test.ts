import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  ACTIVE_MESSAGE_STATES,
  FINAL_MESSAGE_STATES,
  MESSAGE_STATES,
  isMessageState,
} from "../../src/core/message-states.js";
import { contractModule } from "../../src/http/web/contract.js";

const webFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === "vendor"
        ? []
        : webFiles(join(dir, e.name))
      : e.name.endsWith(".js")
        ? [join(dir, e.name)]
        : [],
  );

describe("the message states", () => {
  it("are one list, split without overlap into states a message can leave and states it never leaves", () => {
    expect([...ACTIVE_MESSAGE_STATES, ...FINAL_MESSAGE_STATES].sort()).toEqual([...MESSAGE_STATES].sort());
    expect(isMessageState("delivered")).toBe(true);
    expect(isMessageState("sent")).toBe(false);
    expect(isMessageState(undefined)).toBe(false);
  });

  it("reach the browser as a module written from the list, and no panel file carries its own copy", async () => {
    const mod = (await import(`data:text/javascript,${encodeURIComponent(contractModule())}`)) as {
      MESSAGE_STATES: readonly string[];
    };
    expect(mod.MESSAGE_STATES).toEqual(MESSAGE_STATES);
    const copies = webFiles(new URL("../../web", import.meta.url).pathname).filter((f) =>
      /"sending",\s*"submitted",\s*"delivered"/.test(readFileSync(f, "utf8")),
    );
    expect(copies).toEqual([]);
  });
});
