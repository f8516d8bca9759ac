import type { ModemHealthEvent } from "../../api/events.js";
import type { AtCommand } from "../at/command.js";
import { copsQuery } from "../at/commands/cops.js";
import { cpmsQuery, type StorageUse } from "../at/commands/cpms.js";
import { cregQuery } from "../at/commands/creg.js";
import { csq } from "../at/commands/csq.js";
import type { ModemProfile } from "./profile.js";

export type HealthReading = Pick<ModemHealthEvent, "signal" | "registration" | "operator"> & { storage?: StorageUse };

/** One health poll: AT+CSQ, AT+CREG? (or the profile's CGREG/CEREG), AT+COPS?, AT+CPMS? at the lowest priority. */
export async function readHealth(
  run: <R>(cmd: AtCommand<R>) => Promise<R>,
  profile: ModemProfile,
): Promise<HealthReading> {
  const t = profile.timeouts;
  const signal = await run(csq(t.command));
  const registration = await run(cregQuery(t.command, undefined, profile.registration));
  const operator = await run(copsQuery(t.network));
  const storage = await run(cpmsQuery(t.command)).catch(() => undefined);
  return { signal, registration, operator, storage };
}
