import { AtPriority, type AtCommand } from "../command.js";

/** ATE0/ATE1: command echo off/on (V.250 6.2.4). The channel tolerates both. */
export function ate(on: boolean, timeoutMs: number): AtCommand<void> {
  return {
    name: "ATE",
    text: on ? "ATE1" : "ATE0",
    responsePrefixes: [],
    timeoutMs,
    priority: AtPriority.Control,
    retryable: true,
    parse: () => undefined,
  };
}
