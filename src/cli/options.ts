import { DuegateError, ErrorCode } from "../core/errors.js";

/** Maps the service flags to config key paths (flags override file and environment). */
export function flagOverrides(opts: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof opts.modem === "string") out["modem.port"] = opts.modem;
  if (typeof opts.data === "string") out["gateway.dataDir"] = opts.data;
  if (typeof opts.http === "string") out["http.listen"] = opts.http;
  if (typeof opts.logLevel === "string") out["log.level"] = opts.logLevel;
  if (typeof opts.profile === "string") out["modem.profile"] = opts.profile;
  if (typeof opts.mqtt === "string") {
    if (opts.mqtt === "embedded" || opts.mqtt === "off") out["mqtt.mode"] = opts.mqtt;
    else if (/^(mqtts?|wss?):\/\//.test(opts.mqtt)) {
      out["mqtt.mode"] = "external";
      out["mqtt.url"] = opts.mqtt;
    } else {
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `--mqtt ${JSON.stringify(opts.mqtt)} is invalid, expected a broker URL (mqtt://, mqtts://, ws://, wss://), embedded or off`,
        { flag: "--mqtt" },
      );
    }
  }
  return out;
}

// The listen address is a setting (src/config/listen.ts); the command line reads it the same way.
export { parseListen } from "../config/listen.js";
