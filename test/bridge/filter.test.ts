import { describe, expect, it } from "vitest";
import { filterCoversPrefix } from "../../src/bridge/bridge.js";

describe("filterCoversPrefix: does a subscription reach the gateway's event topics?", () => {
  const prefix = "duegate/gw1/";
  it.each([
    ["#", true],
    ["duegate/#", true],
    ["duegate/gw1/#", true],
    ["duegate/+/message/state", true],
    ["duegate/gw1/message/state", true],
    ["+/+/inbound", true],
    ["$share/accounting/duegate/gw1/#", true],
    ["duegate/gw1", false],
    ["duegate/gw2/#", false],
    ["other/#", false],
    ["duegate", false],
  ])("%s → %s", (filter, covers) => {
    expect(filterCoversPrefix(filter, prefix)).toBe(covers);
  });
});
