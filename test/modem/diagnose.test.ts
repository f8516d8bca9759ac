import { afterEach, describe, expect, it } from "vitest";
import { encodeSubmit } from "../../src/sms/index.js";
import { runDoctor } from "../../src/cli/doctor.js";
import { silentLogger } from "../../src/core/log.js";
import { ModemSimulator } from "../../src/modem/index.js";
import { sleep, startOnSimulator, type Harness } from "./helpers.js";

const NAMES = [
  "modem",
  "AT answers",
  "model / firmware",
  "SIM",
  "IMSI",
  "signal",
  "registration",
  "operator",
  "SMS centre",
  "SMS storage",
];

describe("Modem.diagnose(): the doctor's checks on the running modem", () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it("passes every check on a healthy simulator, with the IMSI masked, and the same checks as `duegate doctor`", async () => {
    h = await startOnSimulator();
    const { checks } = await h.modem.diagnose();
    expect(checks.map((c) => c.name)).toEqual(NAMES);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    const imsi = checks.find((c) => c.name === "IMSI")!.detail;
    expect(imsi).toMatch(/^\d{5}\*+\d{2}$/);
    expect(checks.find((c) => c.name === "registration")!.detail).toBe("home");

    // The CLI's report has the same modem checks (after its own port checks), from the same definitions.
    const cli = await runDoctor({
      port: "sim",
      baudRate: 115200,
      profile: "generic",
      logger: silentLogger(),
      simulator: new ModemSimulator(),
    });
    const cliNames = cli.checks.map((c) => c.name);
    expect(cliNames.slice(cliNames.indexOf("AT answers"))).toEqual(NAMES.slice(1));
  });

  it("without network: the registration check fails with a hint, and the modem stays up", async () => {
    h = await startOnSimulator();
    h.sim.fault.noNetwork(5000);
    const { checks } = await h.modem.diagnose();
    const reg = checks.find((c) => c.name === "registration")!;
    expect(reg).toMatchObject({ ok: false, detail: "searching" });
    expect(reg.hint).toMatch(/not registered: check that the antenna.*coverage/);
    expect(checks.find((c) => c.name === "operator")).toMatchObject({
      ok: false,
      hint: expect.stringMatching(/unregistered/),
    });
    expect(checks.find((c) => c.name === "AT answers")!.ok).toBe(true);
  });

  it("is queued behind sends: a part queued after the checks still goes first", async () => {
    h = await startOnSimulator({ sendLatencyMs: 200 });
    const [part] = encodeSubmit("Reminder", { to: "+4915123400010", concatReference: 1 }).parts;
    const seen = h.sim.received.length;
    const order: string[] = [];
    const first = h.modem.sendPart(part!).then(() => void order.push("send 1"));
    const diagnosing = h.modem.diagnose().then((r) => (order.push("diagnose"), r)); // its AT is queued now
    const second = h.modem.sendPart(part!).then(() => void order.push("send 2"));
    await Promise.all([first, second]);
    expect((await diagnosing).checks.every((c) => c.ok)).toBe(true);
    expect(order).toEqual(["send 1", "send 2", "diagnose"]);
    // On the line: both sends before the checks' first AT, though that was queued before send 2.
    const lines = h.sim.received.slice(seen).map((c) => c.line);
    expect(lines.slice(0, 3).map((l) => l.replace(/=.*/, ""))).toEqual(["AT+CMGS", "AT+CMGS", "AT"]);
    expect(h.sim.sent).toHaveLength(2);
  });

  it("reports a modem whose port is gone without sending anything", async () => {
    h = await startOnSimulator();
    h.sim.fault.unplug(2000);
    await sleep(50);
    const { checks } = await h.modem.diagnose();
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "modem", ok: false, hint: expect.stringMatching(/port is not open/) });
  });
});
