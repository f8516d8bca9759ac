import { describe, expect, it } from "vitest";
import type { AtFrame } from "../../src/modem/at/frames.js";
import { AtParser } from "../../src/modem/at/parser.js";

function parse(chunks: string[], opts?: { bareGreaterIsPrompt?: boolean }): { frames: AtFrame[]; parser: AtParser } {
  const frames: AtFrame[] = [];
  const parser = new AtParser((f) => frames.push(f), opts);
  for (const c of chunks) parser.push(Buffer.from(c, "latin1"));
  return { frames, parser };
}

describe("AtParser", () => {
  it("emits the > prompt although it has no line end", () => {
    const { frames } = parse(["\r\n> "]);
    expect(frames).toEqual([{ kind: "prompt" }]);
  });

  it("assembles lines split across chunks and skips empty lines", () => {
    const { frames } = parse(["\r\n+CS", "Q: 21,", "99\r", "\n\r\nO", "K\r\n"]);
    expect(frames).toEqual([
      { kind: "line", text: "+CSQ: 21,99" },
      { kind: "final", ok: true, text: "OK" },
    ]);
  });

  it("reads +CMS ERROR and +CME ERROR codes, numeric and verbose", () => {
    const { frames } = parse([
      "\r\n+CMS ERROR: 38\r\n",
      "\r\n+CME ERROR: 11\r\n",
      "\r\n+CME ERROR: SIM PIN required\r\n",
      "\r\nERROR\r\n",
    ]);
    expect(frames).toEqual([
      { kind: "cms-error", code: 38, text: "+CMS ERROR: 38" },
      { kind: "cme-error", code: 11, text: "11" },
      { kind: "cme-error", code: undefined, text: "SIM PIN required" },
      { kind: "final", ok: false, text: "ERROR" },
    ]);
  });

  it("reports binary garbage as noise and never throws", () => {
    const { frames } = parse(["\xff\xfe\x00junk\r\n", "OK\r\n"]);
    expect(frames[0]!.kind).toBe("noise");
    expect(frames[1]).toEqual({ kind: "final", ok: true, text: "OK" });
  });

  it("flushes a lone > as a prompt after a quiet gap, and other partial bytes as noise", () => {
    const a = parse(["\r\n>"]);
    expect(a.frames).toEqual([]);
    expect(a.parser.pending).toBe(true);
    a.parser.flush();
    expect(a.frames).toEqual([{ kind: "prompt" }]);
    const b = parse(["garbage-without-end"]);
    b.parser.flush();
    expect(b.frames).toEqual([{ kind: "noise", text: "garbage-without-end" }]);
  });

  it("takes a lone > as the prompt at once when the profile says so", () => {
    const { frames } = parse(["\r\n>"], { bareGreaterIsPrompt: true });
    expect(frames).toEqual([{ kind: "prompt" }]);
  });

  it("bounds an endless line without line ends", () => {
    const { frames, parser } = parse(["x".repeat(5000)]);
    expect(frames).toHaveLength(1);
    expect(frames[0]!.kind).toBe("noise");
    expect(parser.pending).toBe(false);
  });
});
