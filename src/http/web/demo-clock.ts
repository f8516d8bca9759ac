/**
 * GET /api/v1/clock: the time the appliance runs on. On an appliance that is the system
 * clock and the panel shows nothing; under `duegate demo --clock/--fast` it is the demo's own,
 * and the panel's header shows it so that what the Today page calls today is plain to see.
 */
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import type { WebServices } from "./ports.js";

function gatewayTimeZone(config: unknown): string {
  const zone = (config as { gateway?: { defaultTimeZone?: unknown } } | undefined)?.gateway?.defaultTimeZone;
  return typeof zone === "string" && zone ? zone : "UTC";
}

const ClockAnswer = Type.Object({
  now: Type.Integer({ description: "the time the appliance runs on, ms since 1970" }),
  timeZone: Type.String({ description: "the gateway's zone, in which the desk counts its days" }),
  demo: Type.Union([
    Type.Object({ mode: Type.Union([Type.Literal("shifted"), Type.Literal("time-lapse")]), speed: Type.Number() }),
    Type.Null(),
  ]),
});

export const demoClockRoutes: FastifyPluginAsync<{ services: WebServices }> = async (app, { services }) => {
  app.get("/api/v1/clock", { config: { scope: "read" }, schema: { response: { 200: ClockAnswer } } }, async () => ({
    now: services.clock.now(),
    // The desk's "today" is the gateway's day (src/desk/desk.ts): the header uses the same zone.
    timeZone: gatewayTimeZone(services.config),
    demo: services.demoClock ?? null,
  }));
};
