import { describe, expect, it } from "vitest";
import { ModemSimulator } from "../../src/modem/index.js";
import { encodeSubmit } from "../../src/sms/index.js";
import { sleep, waitFor } from "./helpers.js";

/** Talks to the simulator as raw bytes, as a terminal program would. */
async function terminal(sim: ModemSimulator) {
  const t = await sim.connect();
  let text = "";
  t.onData((c) => (text += Buffer.from(c).toString("latin1")));
  return {
    send: (s: string) => t.write(Buffer.from(s, "latin1")),
    read: () => text,
    clear: () => void (text = ""),
    async until(pattern: RegExp, ms = 2000) {
      await waitFor(() => pattern.test(text), `${pattern} from the simulator`, ms);
      return text;
    },
  };
}

describe("ModemSimulator", () => {
  it("echoes commands until ATE0 and answers in TS 27.007 form", async () => {
    const sim = new ModemSimulator();
    const term = await terminal(sim);
    await term.send("AT+CSQ\r");
    expect(await term.until(/OK\r\n$/)).toBe("AT+CSQ\r\r\n+CSQ: 21,99\r\n\r\nOK\r\n");
    term.clear();
    await term.send("ATE0\r");
    await term.until(/OK/);
    term.clear();
    await term.send("AT+CREG?\r");
    expect(await term.until(/OK\r\n$/)).toBe("\r\n+CREG: 0,1\r\n\r\nOK\r\n");
  });

  it("answers ERROR to unknown commands and +CMS ERROR 304 to a PDU of the wrong length", async () => {
    const sim = new ModemSimulator();
    const term = await terminal(sim);
    await term.send("ATE0\rAT+CMEE=1\r");
    await term.until(/OK[\s\S]*OK/);
    term.clear();
    await term.send("AT+NOPE\r");
    await term.until(/ERROR/);
    term.clear();
    const [part] = encodeSubmit("hi", { to: "+491701234567", concatReference: 1 }).parts;
    await term.send(`AT+CMGS=${part!.tpduLength + 1}\r`);
    await term.until(/> $/);
    await term.send(`${part!.pdu}\x1a`);
    expect(await term.until(/\+CMS ERROR: 304/)).toContain("+CMS ERROR: 304");
    expect(sim.sent).toHaveLength(0);
  });

  it("holds inbound SMS at the network while the SIM is full and delivers them when space frees", async () => {
    const sim = new ModemSimulator({ storageSize: 2 });
    const term = await terminal(sim);
    await term.send("ATE0\rAT+CNMI=2,1,0,1,0\r");
    await term.until(/OK[\s\S]*OK/);
    for (const t of ["a", "b", "c"]) sim.injectInbound("+491701234567", t);
    expect(sim.storage.used("SM")).toBe(2);
    expect(sim.network).toHaveLength(1);
    expect(await term.until(/\+CMTI: "SM",2/)).toMatch(/\+CMTI: "SM",1[\s\S]*\+CMTI: "SM",2/);
    term.clear();
    await term.send("AT+CMGD=1\r");
    await term.until(/\+CMTI: "SM",1/);
    expect(sim.network).toHaveLength(0);
  });

  it("waits its command latency before answering", async () => {
    const sim = new ModemSimulator({ commandLatencyMs: 150 });
    const term = await terminal(sim);
    await term.send("ATE0\r");
    await term.until(/OK/);
    term.clear();
    const t0 = Date.now();
    await term.send("AT\r");
    await term.until(/OK/);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
  });

  it("refuses connections while unplugged and reboots (echo on, indications off)", async () => {
    const sim = new ModemSimulator();
    const term = await terminal(sim);
    await term.send("ATE0\rAT+CNMI=2,1,0,1,0\r");
    await term.until(/OK[\s\S]*OK/);
    sim.fault.unplug(100);
    await expect(sim.connect()).rejects.toMatchObject({ code: "modem.unplugged" });
    await sleep(120);
    await terminal(sim);
    expect(sim.settings).toMatchObject({ echo: true, cnmi: { mt: 0, ds: 0 } });
  });

  it("records commands for assertions and lets a test put a behavior in front", async () => {
    const sim = new ModemSimulator();
    sim.defineBehavior({
      name: "odd signal",
      onCommand: (s, c) => (c.name === "+CSQ" ? (s.respond(["+CSQ: 3,99"]), true) : false),
    });
    const term = await terminal(sim);
    const seen = sim.expectCommand(1000, (c) => c.name === "+CSQ");
    await term.send("AT+CSQ\r");
    expect((await seen).line).toBe("AT+CSQ");
    expect(await term.until(/OK/)).toContain("+CSQ: 3,99");
    expect(() => sim.assertReceivedCommand((c) => c.name === "+CMGS")).toThrow(/no matching command/);
  });
});
