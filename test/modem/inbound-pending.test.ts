import { afterEach, describe, expect, it } from "vitest";
import { encodeSubmit } from "../../src/sms/index.js";
import { startOnSimulator, waitFor, type Harness } from "./helpers.js";

const DEBTOR = "+491701234567";

describe("inbound announced before it is read (onInboundPending)", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("fires on +CMTI before AT+CMGR, and the read goes before a send queued earlier", async () => {
    h = await startOnSimulator({ sendLatencyMs: 150 });
    const order: string[] = [];
    h.modem.onInboundPending(() => order.push("pending"));
    h.sim.defineBehavior({
      name: "order",
      onCommand: (_sim, cmd) => (
        ["+CMGR", "+CMGS"].includes(cmd.name) && cmd.op === "set" && order.push(cmd.name),
        false
      ),
    });
    const [a] = encodeSubmit("first", { to: DEBTOR, concatReference: 1 }).parts;
    const [b] = encodeSubmit("second", { to: DEBTOR, concatReference: 2 }).parts;
    const first = h.modem.sendPart(a!);
    await waitFor(() => order.includes("+CMGS"), "the first AT+CMGS");
    const second = h.modem.sendPart(b!); // queued behind the part on the air
    h.sim.injectInbound(DEBTOR, "BALANCE");
    await Promise.all([first, second]);
    await waitFor(() => h!.inbound.length === 1, "the SMS to be handed over");
    // The read waited only for the part already in flight, not for the send queued before it.
    expect(order).toEqual(["+CMGS", "pending", "+CMGR", "+CMGS"]);
  });

  it("fires on a routed +CMT too, and a throwing listener does not stop the hand-over", async () => {
    h = await startOnSimulator();
    let calls = 0;
    h.modem.onInboundPending(() => {
      calls++;
      throw new Error("listener bug");
    });
    h.sim.settings.cnmi.mt = 2;
    h.sim.injectInbound(DEBTOR, "HELP");
    await waitFor(() => h!.inbound.length === 1, "the routed SMS");
    expect(calls).toBe(1);
    expect(h.inbound[0]!.pdu.text).toBe("HELP");
  });
});
