/**
 * request/<what> → response/<what> with {status, data, error, code, transaction}
 * (Zigbee2MQTT bridge/request convention): a client always learns whether and why a
 * command failed, and the transaction it sent comes back.
 */
import { Type } from "@sinclair/typebox";
import { CancelRequest } from "../api/payloads.js";
import { REQUESTS, type RequestName } from "../api/topics.js";
import { check } from "../api/validate.js";
import { DuegateError, ErrorCode, errorMessage, isDuegateError } from "../core/errors.js";
import { boundMessage, excerpt } from "../core/excerpt.js";
import { cancelSelector, gatewayStatus, type GatewayServices } from "../service/index.js";

const ById = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  transaction: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});
const ByAccount = Type.Object({
  accountId: Type.String({ minLength: 1, maxLength: 64 }),
  transaction: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});
const ByNumber = Type.Object({
  number: Type.String({ minLength: 3, maxLength: 32 }),
  transaction: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});
const Forecast = Type.Object({
  days: Type.Optional(Type.Integer({ minimum: 1, maximum: 90 })),
  transaction: Type.Optional(Type.Union([Type.String(), Type.Number()])),
});

export async function answerRequest(
  services: GatewayServices,
  gatewayId: string,
  what: string,
  body: unknown,
  respond: (what: string, body: object) => void,
): Promise<void> {
  const transaction = body && typeof body === "object" ? (body as { transaction?: unknown }).transaction : undefined;
  const tx = typeof transaction === "string" || typeof transaction === "number" ? { transaction } : {};
  try {
    if (!(REQUESTS as readonly string[]).includes(what))
      throw new DuegateError(
        ErrorCode.UnknownTopic,
        `unknown request "${excerpt(what)}"; known: ${REQUESTS.join(", ")}`,
      );
    const data = await run(services, gatewayId, what as RequestName, body);
    respond(what, { status: "ok", data, ...tx });
  } catch (e) {
    // Anything unexpected is answered too (and logged): the client is never left waiting.
    if (!isDuegateError(e)) services.logger.error({ err: e, request: what }, "MQTT request failed");
    const field = isDuegateError(e) && typeof e.context.field === "string" ? { field: excerpt(e.context.field) } : {};
    respond(what, {
      status: "error",
      data: null,
      error: boundMessage(errorMessage(e)),
      code: isDuegateError(e) ? e.code : "internal",
      ...field,
      ...tx,
    });
  }
}

function params<T>(schema: Parameters<typeof check>[0], body: unknown): T {
  const c = check(schema, body);
  if (!c.ok) throw new DuegateError(ErrorCode.PayloadInvalid, c.problems[0]!.reason, { field: c.problems[0]!.field });
  return c.value as T;
}

async function run(s: GatewayServices, gatewayId: string, what: RequestName, body: unknown): Promise<unknown> {
  switch (what) {
    case "status":
      return gatewayStatus(s, "online", gatewayId);
    case "modem":
      return s.modem.health();
    case "account": {
      const { id } = params<{ id: string }>(ById, body);
      const account = s.ledger.account(id);
      if (!account) throw new DuegateError(ErrorCode.NotFound, `account ${id} is unknown`, { field: "/id" });
      return { account, balance: s.ledger.balance(id) };
    }
    case "balance": {
      const { accountId } = params<{ accountId: string }>(ByAccount, body);
      if (!s.ledger.account(accountId))
        throw new DuegateError(ErrorCode.NotFound, `account ${accountId} is unknown`, { field: "/accountId" });
      return s.ledger.balance(accountId);
    }
    case "message": {
      const { id } = params<{ id: string }>(ById, body);
      const m = s.outbox.get(id) ?? s.outbox.byIdempotencyKey(id) ?? s.outbox.byIdempotencyKey(`send:${id}`);
      if (!m) throw new DuegateError(ErrorCode.NotFound, `message ${id} is unknown`, { field: "/id" });
      return m;
    }
    case "cancel": {
      const { transaction: _t, ...rest } = (body ?? {}) as Record<string, unknown>;
      const req = params<CancelRequest>(CancelRequest, rest);
      return s.outbox.cancel(cancelSelector(req), req.reason ?? "cancelled over MQTT");
    }
    case "suppression": {
      // Whether a number may be texted, and its consent record (kept after a removal too).
      const e164 = s.consent.normalise(params<{ number: string }>(ByNumber, body).number, "/number");
      return s.consent.get(e164) ?? { number: e164, suppressed: false, changes: [] };
    }
    case "forecast": {
      const { days } = params<{ days?: number }>(Forecast, body);
      return s.dunning.forecastPage(days ?? 7, { offset: 0, limit: 1000 });
    }
  }
}
