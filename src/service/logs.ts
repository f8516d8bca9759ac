/** Recent log lines for staff (the Logs page, GET /api/v1/logs), already masked by the logger. */
import type { LogRing } from "../core/log.js";

export function recentLogs(
  ring: Pick<LogRing, "recent">,
  q: { level: number; limit: number; contains?: string },
): Array<Record<string, unknown>> {
  const needle = q.contains?.toLowerCase();
  return (
    ring
      .recent(q.level, 1000)
      // The generated admin password is logged once for the console, never shown here.
      .filter((l) => l.oneTimeSecret !== true)
      .filter((l) => !needle || JSON.stringify(l).toLowerCase().includes(needle))
      .slice(-q.limit)
  );
}
