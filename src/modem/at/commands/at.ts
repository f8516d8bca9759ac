import { AtPriority, type AtCommand } from "../command.js";

/** AT: is anyone there? (V.250). Used as the probe after open and during recovery. */
export function at(timeoutMs: number): AtCommand<void> {
  return {
    name: "AT",
    text: "AT",
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
