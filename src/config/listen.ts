import { DuegateError, ErrorCode } from "../core/errors.js";

/** "127.0.0.1:8080" → host and port; "[::1]:8080" too. */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(listen.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535)
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `http.listen: ${JSON.stringify(listen)} is invalid, expected host:port such as 127.0.0.1:8080`,
      { key: "http.listen" },
    );
  return { host: (m[1] ?? m[2])!, port };
}
