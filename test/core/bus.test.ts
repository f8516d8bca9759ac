import { describe, expect, it } from "vitest";
import { EventBus, type BusError } from "../../src/core/bus.js";

interface TestEvents {
  [k: string]: unknown;
  ping: { n: number };
  pong: string;
}

describe("EventBus", () => {
  it("delivers to typed and catch-all listeners in emit order", () => {
    const bus = new EventBus<TestEvents>();
    const seen: string[] = [];
    bus.on("ping", "a", (p) => void seen.push(`a${p.n}`));
    bus.onAny("all", (e) => void seen.push(`any:${e}`));
    bus.emit("ping", { n: 1 });
    bus.emit("pong", "x");
    expect(seen).toEqual(["a1", "any:ping", "any:pong"]);
  });

  it("isolates a listener that throws or rejects", async () => {
    const errors: BusError[] = [];
    const bus = new EventBus<TestEvents>((e) => errors.push(e));
    const seen: number[] = [];
    bus.on("ping", "bad", () => {
      throw new Error("boom");
    });
    bus.on("ping", "bad-async", async () => {
      throw new Error("later");
    });
    bus.on("ping", "good", (p) => void seen.push(p.n));
    bus.emit("ping", { n: 7 });
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([7]);
    expect(errors.map((e) => e.owner).sort()).toEqual(["bad", "bad-async"]);
  });

  it("removes every listener of an owner", () => {
    const bus = new EventBus<TestEvents>();
    let count = 0;
    bus.on("ping", "x", () => void count++);
    bus.onAny("x", () => void count++);
    bus.removeAll("x");
    bus.emit("ping", { n: 1 });
    expect(count).toBe(0);
  });
});
