/** The retained status: online/offline, each modem's figures, queue depth, version. */
import type { GatewayStatus } from "../api/payloads.js";
import type { GatewayServices } from "./ports.js";

export function gatewayStatus(
  s: Pick<GatewayServices, "clock" | "modem" | "modems" | "outbox" | "version" | "startedAt">,
  state: "online" | "offline",
  gatewayId = "",
): GatewayStatus {
  const h = s.modem.health();
  const q = s.outbox.stats();
  const modems = s.modems?.list();
  return {
    state,
    gatewayId,
    version: s.version,
    startedAt: s.startedAt,
    modem: {
      state: h.state,
      ...(h.signal ? { bars: h.signal.bars } : {}),
      ...(h.registration ? { registration: h.registration } : {}),
      ...(h.operator ? { operator: h.operator } : {}),
    },
    ...(modems ? { modems } : {}),
    queue: { queued: q.queued, sending: q.sending, submitted: q.submitted },
    at: s.clock.now(),
  };
}
