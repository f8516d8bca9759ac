import { afterEach, describe, expect, it } from "vitest";
import { rig, reminder, settle, until, type Rig } from "./helpers.js";

describe("Outbox.applySettings (settings changed in the web panel)", () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.outbox.stop();
    r = undefined;
  });

  it("a send window that is made to close earlier holds the next reminder at once, and opening it again lets it go", async () => {
    // Tuesday 10:00 Berlin: inside the default 08:00-21:00 window.
    r = await rig();
    await r.outbox.start();
    await r.outbox.enqueue(reminder());
    await until(r.clock, () => r!.sender.sent.length === 1, "the first reminder");

    r.outbox.applySettings({ sendWindow: { ...r.config.sendWindow, start: "08:00", end: "09:30" } });
    await r.outbox.enqueue(reminder());
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(1);
    expect(r.outbox.stats()).toMatchObject({ queued: 1 });

    r.outbox.applySettings({ sendWindow: { ...r.config.sendWindow, end: "21:00" } });
    await until(r.clock, () => r!.sender.sent.length === 2, "the second reminder after the window opened again");
  });

  it("a lower per-recipient limit applies to the next pick; retries take the new settings object", async () => {
    r = await rig();
    await r.outbox.start();
    r.outbox.applySettings({
      limits: { ...r.config.limits, perRecipientPerWeek: 1 },
      retry: { ...r.config.retry, maxAttempts: 2 },
    });
    expect(r.config.limits.perRecipientPerWeek).toBe(1);
    expect(r.config.retry.maxAttempts).toBe(2);
    await r.outbox.enqueue(reminder());
    await r.outbox.enqueue(reminder());
    await until(r.clock, () => r!.sender.sent.length === 1, "the first reminder");
    await settle(r.clock);
    expect(r.sender.sent).toHaveLength(1); // the second waits for the week to pass
  });
});
