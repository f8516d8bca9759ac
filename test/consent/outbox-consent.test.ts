import { afterEach, describe, expect, it } from "vitest";
import { EventBus } from "../../src/core/bus.js";
import { ErrorCode } from "../../src/core/errors.js";
import type { DomainEvents } from "../../src/api/events.js";
import type { E164 } from "../../src/core/types.js";
import { Priority, type ConsentCheck, type ConsentExemption, type EnqueueRequest } from "../../src/outbox/index.js";
import { disposeRig, reminder, rig, settle, until, type Rig } from "../outbox/helpers.js";

/** The list as the outbox sees it (the real one is tested in suppression-list.test.ts and end to end). */
class ListStandIn implements ConsentCheck {
  readonly stopped = new Map<string, string | undefined>(); // number -> inbound id of its STOP
  verdict(to: E164, exemption?: ConsentExemption) {
    if (!this.stopped.has(to)) return { ok: true as const };
    if (exemption && this.stopped.get(to) === exemption.inboundId) return { ok: true as const };
    return { ok: false as const, reason: `opted out: ${to} is suppressed` };
  }
}

const TO = "+4917612345678";
let r: Rig | undefined;
afterEach(async () => {
  await disposeRig(r);
  r = undefined;
});

async function setUp() {
  const bus = new EventBus<DomainEvents>();
  const refused: Array<DomainEvents["message.refused"]> = [];
  bus.on("message.refused", "test", (e) => void refused.push(e));
  const consent = new ListStandIn();
  r = await rig({ bus, consent });
  return { rig: r, consent, refused };
}

const origins: Array<[string, Partial<EnqueueRequest>]> = [
  ["a reminder", {}],
  ["an API send", { priority: Priority.direct, origin: { kind: "api", requestedBy: "http:accounting" } }],
  ["a panel test send", { priority: Priority.direct, origin: { kind: "test", requestedBy: "admin" } }],
  [
    "a keyword reply",
    {
      priority: Priority.reply,
      limitClass: "reply",
      origin: { kind: "keyword-reply", inboundId: "in_9", keyword: "help", accountIds: [] },
    },
  ],
];

describe("the outbox enforces the suppression list", () => {
  it.each(origins)(
    "refuses %s to a suppressed number at admission, saying why, and publishes message.refused",
    async (_what, over) => {
      const { rig: x, consent, refused } = await setUp();
      consent.stopped.set(TO, "in_1");
      const req = reminder({ to: "0176 12345678", ...over });
      await expect(x.outbox.enqueue(req)).rejects.toMatchObject({
        code: ErrorCode.OptedOut,
        message: expect.stringMatching(/^refused: opted out/),
        context: { field: "to" },
      });
      expect(x.outbox.byIdempotencyKey(req.idempotencyKey)).toBeUndefined();
      expect(refused).toEqual([
        expect.objectContaining({
          idempotencyKey: req.idempotencyKey,
          to: TO,
          stage: "admission",
          reason: expect.stringMatching(/^refused: opted out/),
        }),
      ]);
    },
  );

  it("refuses in a batch only the request to the suppressed number", async () => {
    const { rig: x, consent } = await setUp();
    consent.stopped.set(TO, "in_1");
    const out = await x.outbox.enqueueMany([reminder({ to: "+4917600000001" }), reminder({ to: TO })]);
    expect(out[0]!.status).toBe("queued");
    expect(out[1]).toMatchObject({ status: "refused", error: { code: ErrorCode.OptedOut } });
  });

  it("cancels a queued message whose number opted out while it waited, before any part reaches the modem", async () => {
    const { rig: x, consent, refused } = await setUp();
    const { message } = await x.outbox.enqueue(reminder({ to: TO }));
    consent.stopped.set(TO, "in_1"); // STOP arrives while the reminder waits
    await x.outbox.start();
    await until(x.clock, () => x.outbox.get(message.id)!.state === "cancelled", "the cancel");
    expect(x.sender.calls).toBe(0);
    expect(x.outbox.get(message.id)!.failureReason).toMatch(/^refused: opted out/);
    expect(refused).toEqual([expect.objectContaining({ id: message.id, stage: "before-send" })]);
  });

  it("stops a half-sent message at the next part when the number opts out in between", async () => {
    const { rig: x, consent } = await setUp();
    x.sender.hold = true;
    const { message } = await x.outbox.enqueue(reminder({ to: TO, text: "Pay now. ".repeat(40) })); // three parts
    await x.outbox.start();
    await until(x.clock, () => x.sender.calls === 1, "the first part at the modem");
    consent.stopped.set(TO, "in_1");
    x.sender.hold = false;
    x.sender.release();
    await until(x.clock, () => x.outbox.get(message.id)!.state === "cancelled", "the cancel");
    expect(x.sender.sent).toHaveLength(1);
  });

  it("sends the confirmation of the STOP on record, and nothing that merely claims another STOP", async () => {
    const { rig: x, consent } = await setUp();
    consent.stopped.set(TO, "in_1");
    const reply = (inboundId: string): EnqueueRequest => ({
      idempotencyKey: `inbound:${inboundId}:stop`,
      to: TO,
      text: "You will get no more texts.",
      priority: Priority.reply,
      limitClass: "reply",
      origin: { kind: "keyword-reply", inboundId, keyword: "stop", accountIds: [] },
      consentExemption: { kind: "stop-confirmation", inboundId },
    });
    await expect(x.outbox.enqueue(reply("in_2"))).rejects.toMatchObject({ code: ErrorCode.OptedOut });
    const ok = await x.outbox.enqueue(reply("in_1"));
    await x.outbox.start();
    await until(x.clock, () => x.sender.sent.length === 1, "the confirmation");
    await settle(x.clock);
    expect(x.outbox.get(ok.message.id)!.state).toBe("submitted");
  });

  it("without a STOP, sends as before", async () => {
    const { rig: x } = await setUp();
    const { message } = await x.outbox.enqueue(reminder({ to: TO }));
    await x.outbox.start();
    await until(x.clock, () => x.outbox.get(message.id)!.state === "submitted", "submitted");
  });
});
