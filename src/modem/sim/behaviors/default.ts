import { decodePdu, encodeStatusReport, type SubmitPdu } from "../../../sms/index.js";
import type { SimCommand } from "../command-line.js";
import type { ModemSimulator, SimBehavior } from "../simulator.js";
import { tpduLength } from "../tpdu.js";

/**
 * One named behavior per command (zwave-js MockControllerBehaviors), TS 27.005/27.007
 * answers in PDU mode. Faults and tests put their own behaviors in front.
 */
const on = (name: string, names: string[], fn: (sim: ModemSimulator, cmd: SimCommand) => void): SimBehavior => ({
  name,
  onCommand(sim, cmd) {
    if (!names.includes(cmd.name)) return false;
    fn(sim, cmd);
    return true;
  },
});

const simLocked = (sim: ModemSimulator) => sim.requiredPin !== undefined && !sim.settings.pinEntered;
const regStat = (sim: ModemSimulator) => (simLocked(sim) ? 0 : sim.isRegistered() ? sim.registration : 2);

export const respondToAt = on("AT", [""], (sim) => sim.respond([]));

export const respondToEcho = on("ATE", ["E"], (sim, cmd) => {
  sim.settings.echo = cmd.args !== "0";
  sim.respond([]);
});

export const respondToIdentity = on("identity", ["I", "+CGMI", "+CGMM", "+CGMR", "+CGSN", "+CIMI"], (sim, cmd) => {
  if (cmd.name === "+CIMI" && simLocked(sim)) return sim.cme(11);
  const answers: Record<string, string[]> = {
    I: ["Manufacturer: duegate", `Model: ${sim.opts.model}`, "Revision: SIM 1.0"],
    "+CGMI": ["duegate"],
    "+CGMM": [sim.opts.model],
    "+CGMR": ["SIM 1.0"],
    "+CGSN": ["356938035643809"],
    "+CIMI": ["262011234567890"],
  };
  sim.respond(answers[cmd.name] ?? []);
});

export const respondToCmee = on("CMEE", ["+CMEE"], (sim, cmd) => {
  if (cmd.op === "set") sim.settings.cmee = Number(cmd.list[0] ?? 0);
  sim.respond(cmd.op === "query" ? [`+CMEE: ${sim.settings.cmee}`] : []);
});

export const respondToCpin = on("CPIN", ["+CPIN"], (sim, cmd) => {
  if (cmd.op === "query") return sim.respond([`+CPIN: ${simLocked(sim) ? "SIM PIN" : "READY"}`]);
  if (cmd.op !== "set") return sim.respond([]);
  if (!simLocked(sim)) return sim.cme(3);
  if (cmd.list[0] !== sim.requiredPin) return sim.cme(16);
  sim.settings.pinEntered = true;
  sim.respond([]);
});

export const respondToCreg = on("CREG", ["+CREG", "+CGREG", "+CEREG"], (sim, cmd) => {
  if (cmd.op === "set") {
    sim.settings.creg = Number(cmd.list[0] ?? 0);
    if (!sim.registrationUrcs.includes(cmd.name)) sim.registrationUrcs = [cmd.name];
    return sim.respond([]);
  }
  if (cmd.op === "query") return sim.respond([`${cmd.name}: ${sim.settings.creg},${regStat(sim)}`]);
  sim.respond([]);
});

export const respondToCsq = on("CSQ", ["+CSQ"], (sim) => sim.respond([`+CSQ: ${sim.isRegistered() ? 21 : 99},99`]));

export const respondToCops = on("COPS", ["+COPS"], (sim, cmd) => {
  if (cmd.op !== "query") return sim.respond([]);
  sim.respond([regStat(sim) === 1 || regStat(sim) === 5 ? '+COPS: 0,0,"duegate sim",7' : "+COPS: 0"]);
});

export const respondToCmgf = on("CMGF", ["+CMGF"], (sim, cmd) => {
  if (cmd.op === "set") sim.settings.cmgf = Number(cmd.list[0] ?? 0);
  sim.respond(cmd.op === "query" ? [`+CMGF: ${sim.settings.cmgf}`] : []);
});

export const respondToCnmi = on("CNMI", ["+CNMI"], (sim, cmd) => {
  if (simLocked(sim)) return sim.cms(311);
  if (cmd.op === "set") {
    const [, mt, , ds] = cmd.list.map(Number);
    if ((mt ?? 0) > 2 || (ds ?? 0) > 2) return sim.cms(303);
    sim.settings.cnmi = { mt: mt ?? 0, ds: ds ?? 0 };
  }
  sim.respond(cmd.op === "query" ? [`+CNMI: 2,${sim.settings.cnmi.mt},0,${sim.settings.cnmi.ds},0`] : []);
});

export const respondToCpms = on("CPMS", ["+CPMS"], (sim, cmd) => {
  if (simLocked(sim)) return sim.cms(311);
  const mem = sim.settings.mem;
  if (cmd.op === "set") {
    if (!cmd.list.every((m) => sim.storage.has(m))) return sim.cms(302);
    cmd.list.slice(0, 3).forEach((m, i) => (mem[i] = m));
    return sim.respond([`+CPMS: ${mem.map((m) => `${sim.storage.used(m)},${sim.storage.total(m)}`).join(",")}`]);
  }
  if (cmd.op === "query")
    return sim.respond([`+CPMS: ${mem.map((m) => `"${m}",${sim.storage.used(m)},${sim.storage.total(m)}`).join(",")}`]);
  sim.respond([]);
});

export const respondToCsca = on("CSCA", ["+CSCA"], (sim, cmd) => {
  if (cmd.op === "set") sim.smsc = cmd.list[0] ?? sim.smsc;
  sim.respond(cmd.op === "query" ? [`+CSCA: "${sim.smsc}",145`] : []);
});

export const respondToCclk = on("CCLK", ["+CCLK"], (sim) => {
  const d = new Date(sim.clock.now());
  const p = (n: number) => String(n).padStart(2, "0");
  sim.respond([
    `+CCLK: "${p(d.getUTCFullYear() % 100)}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())},${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}+00"`,
  ]);
});

/** AT+CNUM (TS 27.007 7.1): the SIM's own number (modem.simulator.ownNumber). */
export const respondToCnum = on("CNUM", ["+CNUM"], (sim) => sim.respond([`+CNUM: "","${sim.opts.ownNumber}",145`]));

export const respondToSettings = on("settings", ["+CSCS", "+CSMS", "+CSMP", "+QURCCFG", "^CURC", "+CGMF"], (sim) =>
  sim.respond([]),
);

export const respondToCfun = on("CFUN", ["+CFUN"], (sim, cmd) => {
  if (cmd.op === "query") return sim.respond(["+CFUN: 1"]);
  sim.respond([]);
  if (cmd.op === "set" && cmd.list[1] === "1") {
    // Reset (TS 27.007 8.2): after the OK the modem reboots.
    const ms = sim.opts.resetMs;
    sim.clock.setTimer(1, () => {
      if (sim.opts.resetReenumerates) sim.fault.unplug(ms);
      else {
        sim.fault.hang(ms);
        sim.clock.setTimer(ms, () => {
          sim.hungUntil = 0;
          sim.reboot();
          sim.urc("RDY");
        });
      }
    });
  }
});

export const respondToCmgs = on("CMGS", ["+CMGS"], (sim, cmd) => {
  if (cmd.op === "test") return sim.respond([]);
  if (simLocked(sim)) return sim.cms(311);
  if (sim.settings.cmgf !== 0) return sim.cms(302); // the simulator speaks PDU mode only
  const length = Number(cmd.list[0]);
  sim.expectPdu((hex) => {
    const arrived = sim.radio.now();
    let pdu: SubmitPdu;
    try {
      if (!/^([0-9A-Fa-f]{2})+$/.test(hex) || tpduLength(hex) !== length) return sim.cms(304);
      const decoded = decodePdu(hex);
      if (decoded.type !== "submit") return sim.cms(304);
      pdu = decoded;
    } catch {
      return sim.cms(304);
    }
    const failure = sim.cmsQueue.shift();
    if (failure !== undefined) return sim.cms(failure);
    if (!sim.isRegistered()) return sim.cms(331);
    const done = sim.radio.startPart(arrived);
    sim.clock.setTimer(sim.opts.sendLatencyMs, () => {
      done();
      const reference = sim.takeReference();
      const at = sim.clock.now();
      sim.sent.push({ to: pdu.to, text: pdu.text, reference, at, pdu: hex, concat: pdu.concat });
      sim.respond([`+CMGS: ${reference}`]);
      if (pdu.statusReport)
        sim.clock.setTimer(sim.opts.deliveryReportDelayMs, () => statusReport(sim, reference, pdu.to, at));
    });
  });
});

function statusReport(sim: ModemSimulator, reference: number, recipient: string, scts: number): void {
  const hex = encodeStatusReport({ reference, recipient, status: 0, scts, discharge: sim.clock.now() });
  if (sim.settings.cnmi.ds === 1) sim.urc(`+CDS: ${tpduLength(hex)}`, hex);
  else if (sim.settings.cnmi.ds === 2) {
    const index = sim.storage.store("SR", { stat: 0, pdu: hex });
    if (index !== undefined) sim.urc(`+CDSI: "${sim.opts.cdsiAnnounceAs ?? "SR"}",${index}`);
  }
}

export const respondToCmgr = on("CMGR", ["+CMGR"], (sim, cmd) => {
  if (simLocked(sim)) return sim.cms(311);
  const mem = sim.settings.mem[0];
  const index = Number(cmd.list[0]);
  if (!sim.storage.inRange(mem, index)) return sim.cms(321);
  const slot = sim.storage.read(mem, index);
  if (!slot) return sim.respond([]);
  sim.respond([`+CMGR: ${slot.stat},,${tpduLength(slot.pdu)}`, slot.pdu]);
  if (slot.stat === 0) slot.stat = 1;
});

export const respondToCmgl = on("CMGL", ["+CMGL"], (sim, cmd) => {
  if (simLocked(sim)) return sim.cms(311);
  const mem = sim.settings.mem[0];
  const want = Number(cmd.list[0] ?? 4);
  const items = sim.storage.list(mem).filter(({ slot }) => want === 4 || slot.stat === want);
  sim.respond(items.flatMap(({ index, slot }) => [`+CMGL: ${index},${slot.stat},,${tpduLength(slot.pdu)}`, slot.pdu]));
  for (const { slot } of items) if (slot.stat === 0) slot.stat = 1;
});

export const respondToCmgd = on("CMGD", ["+CMGD"], (sim, cmd) => {
  if (simLocked(sim)) return sim.cms(311);
  const mem = sim.settings.mem[0];
  const index = Number(cmd.list[0]);
  if (cmd.list[1] === "4") for (const { index: i } of sim.storage.list(mem)) sim.storage.delete(mem, i);
  else if (!sim.storage.inRange(mem, index)) return sim.cms(321);
  else sim.storage.delete(mem, index);
  sim.respond([]);
  // Space is free again: the network delivers what it held back (after this OK).
  sim.clock.setTimer(1, () => sim.retryNetwork());
});

/**
 * AT+CUSD=1,"<code>",15 (TS 27.007 7.15): OK at once, then the network's answer as a +CUSD URC
 * a moment later. The answer is sim.ussdAnswer: plain text (DCS 15), or UCS-2 as hex (DCS 72)
 * as modems in CSCS "UCS2" give it.
 */
export const respondToCusd = on("CUSD", ["+CUSD"], (sim, cmd) => {
  if (cmd.op !== "set") return sim.respond([]);
  if (simLocked(sim)) return sim.cms(311);
  if (!sim.isRegistered()) return sim.respond([], "+CME ERROR: 30");
  sim.respond([]);
  const answer = sim.ussdAnswer;
  sim.clock.setTimer(20, () => {
    if (answer.dcs === 72)
      sim.urc(`+CUSD: 0,"${Buffer.from(answer.text, "utf16le").swap16().toString("hex").toUpperCase()}",72`);
    else sim.urc(`+CUSD: 0,"${answer.text}",15`);
  });
});

export const DEFAULT_BEHAVIORS: readonly SimBehavior[] = [
  respondToCusd,
  respondToAt,
  respondToEcho,
  respondToIdentity,
  respondToCmee,
  respondToCpin,
  respondToCreg,
  respondToCsq,
  respondToCops,
  respondToCmgf,
  respondToCnmi,
  respondToCpms,
  respondToCsca,
  respondToCclk,
  respondToCnum,
  respondToSettings,
  respondToCfun,
  respondToCmgs,
  respondToCmgr,
  respondToCmgl,
  respondToCmgd,
];
