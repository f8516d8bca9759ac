import { describe, it, expect, afterEach } from "vitest";
import { encodeSubmit } from "../../src/sms/index.js";
import { startOnSimulator, waitFor, type Harness } from "./helpers.js";

const DEBTOR = "+491701234567";

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

/** A status-report handler that hangs (a slow card) until released. */
function stuckReports(hh: Harness): { entered: () => number; release: () => void } {
  let entered = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  hh.modem.onStatusReport(async (r) => {
    entered++;
    await gate;
    hh.reports.push(r);
  });
  return { entered: () => entered, release };
}

describe("inbox lanes: an SMS read never waits for a status report's handler", () => {
  it("+CDS (report delivered directly): the SMS is read, handed over and deleted while the report handler is still busy", async () => {
    let reports!: ReturnType<typeof stuckReports>;
    h = await startOnSimulator({}, {}, (hh) => (reports = stuckReports(hh)));
    const [part] = encodeSubmit("Reminder", { to: DEBTOR, concatReference: 1, statusReport: true }).parts;
    await h.modem.sendPart(part!);
    await waitFor(() => reports.entered() === 1, "the report handler to start");
    h.sim.injectInbound(DEBTOR, "BALANCE");
    await waitFor(() => h!.inbound.length === 1, "the SMS to be handed over while the report waits");
    await waitFor(() => h!.sim.storage.used("SM") === 0, "the SMS to be deleted after its handler");
    expect(h.inbound[0]!.pdu.text).toBe("BALANCE");
    expect(h.reports).toHaveLength(0); // still stuck
    reports.release();
    await h.modem.inboxIdle();
    expect(h.reports).toHaveLength(1);
  });

  it("+CDSI (report stored in SR): the SMS goes first; the report is deleted from SR only after its handler, and mem1 is the profile's again", async () => {
    let reports!: ReturnType<typeof stuckReports>;
    h = await startOnSimulator({ cdsiAnnounceAs: "SM" }, { profile: "ec25" }, (hh) => (reports = stuckReports(hh)));
    const [part] = encodeSubmit("Reminder", { to: DEBTOR, concatReference: 1, statusReport: true }).parts;
    await h.modem.sendPart(part!);
    await waitFor(() => reports.entered() === 1, "the stored report's handler to start");
    expect(h.sim.storage.used("SR")).toBe(1); // read, not yet deleted: its handler has not stored it
    h.sim.injectInbound(DEBTOR, "BALANCE");
    await waitFor(() => h!.inbound.length === 1, "the SMS to be handed over while the report waits");
    await waitFor(() => h!.sim.storage.used("SM") === 0, "the SMS to be deleted from SM");
    expect(h.sim.storage.used("SR")).toBe(1);
    reports.release();
    await h.modem.inboxIdle();
    expect(h.reports).toHaveLength(1);
    expect(h.sim.storage.used("SR")).toBe(0);
    // The report was read and deleted in SR, and mem1 is the profile's again (ec25: ME) for the next +CMTI.
    const selects = h.sim.received.filter((c) => c.line.startsWith("AT+CPMS=")).map((c) => c.line);
    expect(selects).toContain('AT+CPMS="SR"');
    expect(selects.at(-1)).toBe('AT+CPMS="ME"');
  });
});
