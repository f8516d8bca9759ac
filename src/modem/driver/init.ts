import type { Clock } from "../../core/clock.js";
import { DuegateError, ErrorCode, isDuegateError } from "../../core/errors.js";
import type { Logger } from "../../core/log.js";
import type { AtCommand } from "../at/command.js";
import { at } from "../at/commands/at.js";
import { ate } from "../at/commands/ate.js";
import { cmgfPdu } from "../at/commands/cmgf.js";
import { cnmi } from "../at/commands/cnmi.js";
import { cpinEnter, cpinQuery } from "../at/commands/cpin.js";
import { cpmsSelect, type StorageUse } from "../at/commands/cpms.js";
import { cregEnable, cregQuery, type Registration } from "../at/commands/creg.js";
import { cscaSet } from "../at/commands/csca.js";
import { raw } from "../at/commands/raw.js";
import { AtPriority } from "../at/command.js";
import type { ModemProfile } from "./profile.js";

export interface InitResult {
  simState: string;
  registration: Registration;
  storage: StorageUse;
  /** CNMI ds=2: status reports are stored and announced by +CDSI. */
  reportsStored: boolean;
}

export interface InitDeps {
  run: <R>(cmd: AtCommand<R>) => Promise<R>;
  profile: ModemProfile;
  clock: Clock;
  logger: Logger;
  pin?: string;
  smsc?: string;
  /** Set once a PIN was rejected: never enter it again automatically (a third wrong PIN locks the SIM with PUK). */
  pinRejected: { value: boolean };
  /** Polling interval while waiting for registration. */
  registrationPollMs: number;
}

const sleep = (clock: Clock, ms: number) => new Promise<void>((r) => clock.setTimer(ms, r));

/** SIM busy / SMS not ready yet, as SIM800 answers until "SMS Ready" (TS 27.005 314, TS 27.007 14). */
function isSimBusy(e: unknown): boolean {
  return isDuegateError(e) && (e.context.cms === 314 || e.context.cms === 302 || e.context.cme === 14);
}

/**
 * The init sequence (TS 27.005/27.007): probe, echo off, the profile's lines, SIM PIN,
 * registration, PDU mode, storage, indications. Throws a DuegateError saying which step
 * failed; the recovery ladder decides what to do about it.
 */
export async function initialize(d: InitDeps): Promise<InitResult> {
  const t = d.profile.timeouts;
  const log = d.logger;
  // A modem that just booted may need a few probes (and swallows the first bytes).
  await retry(
    d,
    () => d.run(at(Math.min(t.command, 1000))),
    3,
    200,
    () => true,
  );
  await d.run(ate(false, t.command));
  for (const line of d.profile.init) await retry(d, () => d.run(raw(line, t.command)), 5, 1000, isSimBusy);

  let simState = await retry(d, () => d.run(cpinQuery(t.network)), 5, 1000, isSimBusy);
  if (simState === "SIM PIN") {
    if (!d.pin)
      throw new DuegateError(ErrorCode.ModemSimPin, "the SIM asks for a PIN and modem.pin is empty", { simState });
    if (d.pinRejected.value)
      throw new DuegateError(
        ErrorCode.ModemSimPin,
        "the SIM PIN was rejected before; not entered again to protect the SIM from a PUK lock",
        { simState },
      );
    try {
      await d.run(cpinEnter(d.pin, t.network));
    } catch (e) {
      if (isDuegateError(e) && (e.context.cme === 16 || e.code === ErrorCode.ModemSimPin)) d.pinRejected.value = true;
      throw new DuegateError(
        ErrorCode.ModemSimPin,
        "the SIM rejected modem.pin (check it; it will not be tried again until restart)",
        { simState },
        { cause: e },
      );
    }
    log.info("SIM PIN accepted");
    simState = await retry(
      d,
      () => d.run(cpinQuery(t.network)),
      10,
      1000,
      (e) => isSimBusy(e) || isDuegateError(e, ErrorCode.ModemSimPin),
    );
  }
  if (simState !== "READY")
    throw new DuegateError(ErrorCode.ModemSimPin, `the SIM is not ready: ${simState}`, { simState });

  await retry(d, () => d.run(cmgfPdu(t.command)), 5, 1000, isSimBusy);
  if (d.smsc) await d.run(cscaSet(d.smsc, t.command));
  const storage = await retry(d, () => d.run(cpmsSelect(d.profile.storage, t.command)), 5, 1000, isSimBusy);
  let reportsStored = false;
  let lastCnmiError: unknown;
  let cnmiOk = false;
  for (const line of d.profile.cnmi) {
    try {
      reportsStored = (await d.run(cnmi(line, t.command))).reportsStored;
      cnmiOk = true;
      break;
    } catch (e) {
      lastCnmiError = e;
      log.info({ line }, "modem refused this CNMI setting; trying the next of the profile");
    }
  }
  if (!cnmiOk)
    throw new DuegateError(
      ErrorCode.ModemError,
      "the modem accepted none of the profile's CNMI settings: no new-message indications",
      { profile: d.profile.name },
      { cause: lastCnmiError },
    );

  // Optional: a modem that refuses it is still polled by the health check.
  await d
    .run(cregEnable(t.command, d.profile.registration))
    .catch(() => d.logger.info("modem refused registration URCs; relying on polls"));
  const registration = await waitForRegistration(d);
  return { simState, registration, storage, reportsStored };
}

export function isRegistered(r: Registration): boolean {
  return r === "home" || r === "roaming";
}

async function waitForRegistration(d: InitDeps): Promise<Registration> {
  const t = d.profile.timeouts;
  const deadline = d.clock.now() + t.registrationMs;
  let reg: Registration = "unknown";
  for (let i = 0; i < 10_000; i++) {
    reg = await d.run(cregQuery(t.command, AtPriority.Control, d.profile.registration));
    if (isRegistered(reg) || reg === "denied" || d.clock.now() + d.registrationPollMs > deadline) return reg;
    await sleep(d.clock, d.registrationPollMs);
  }
  return reg;
}

async function retry<R>(
  d: InitDeps,
  fn: () => Promise<R>,
  attempts: number,
  waitMs: number,
  when: (e: unknown) => boolean,
): Promise<R> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !when(e)) throw e;
      await sleep(d.clock, waitMs);
    }
  }
}
