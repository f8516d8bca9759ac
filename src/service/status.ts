/** The retained status: online/offline, modem health, queue depth, version. */
import type { GatewayStatus } from "../api/payloads.js";
import type { GatewayServices } from "./ports.js";

export function gatewayStatus(
  s: Pick<GatewayServices, "clock" | "modem" | "outbox" | "version" | "startedAt">,
  state: "online" | "offline",
  gatewayId = "",
): GatewayStatus {
  const h = s.modem.health();
  const q = s.outbox.stats();
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
    queue: { queued: q.queued, sending: q.sending, submitted: q.submitted },
    at: s.clock.now(),
  };
}
