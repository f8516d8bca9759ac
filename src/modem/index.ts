/**
 * The modem subsystem's public surface (docs/architecture.md, Layers): the only code that
 * touches a port. Nothing else of src/modem is imported from outside.
 */
export { ModemSimulator, type SimBehavior, type SimulatorOptions } from "./sim/simulator.js";
export type { SimCommand } from "./sim/command-line.js";
export type { SimFaults } from "./sim/behaviors/faults.js";
export { loadProfile, profileNames, type ModemProfile, type CompatFlags } from "./driver/profile.js";
export { cmsError as cmsErrorInfo } from "./at/result-codes.js";
export { listPorts, type PortInfo } from "./transport/ports.js";
export { maskImsi, type DoctorCheck } from "./driver/diagnose.js";

export { createModem, type Modem, type ModemOptions } from "./modem.js";

export {
  ModemPool,
  type PresenceChange,
  type MembershipChange,
  type PoolMember,
  type ReceivedVia,
  type PoolInboundHandler,
  type PoolStatusHandler,
} from "./pool/pool.js";
export { createModemPool, createPoolMember, type ModemPoolOptions } from "./pool/create.js";
export { PoolHotPlug, laneOf, type PoolLane, type PoolLanes, type PoolChanges } from "./pool/hot-plug.js";
export { PortWatcher, isDevicePath } from "./pool/port-watch.js";
export { poolMembers, SINGLE_MODEM_ID, type PoolMemberSpec } from "./pool/members.js";
export { creditOf, decodeUssd, parseCusd, type UssdAnswer } from "./pool/ussd.js";
export { CreditMonitor, type SimCredit } from "./pool/credit.js";
