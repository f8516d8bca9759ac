import { describe, expect, it } from "vitest";
import { MqttIngest } from "../../src/bridge/ingest.js";
import type { InputErrorEvent } from "../../src/api/events.js";
import { account, invoice, testServices } from "./helpers/services.js";

async function setup() {
  const s = await testServices();
  const errors: InputErrorEvent[] = [];
  const responses: Array<{ what: string; body: Record<string, unknown> }> = [];
  s.bus.on("input.error", "t", (e) => void errors.push(e));
  const ingest = new MqttIngest(s, {
    prefix: "duegate/gw1/",
    maxBatch: 50,
    gatewayId: "gw1",
    respond: (what, body) => void responses.push({ what, body: body as Record<string, unknown> }),
  });
  const send = (topic: string, body: unknown) =>
    ingest.handle(`duegate/gw1/${topic}`, Buffer.from(typeof body === "string" ? body : JSON.stringify(body)));
  await send("accounts/upsert", [account(0), account(1)]);
  return { s, errors, responses, send, ingest };
}

describe("MQTT ingest", () => {
  it("stores the good invoices of a batch and names the topic, field and reason of the bad one", async () => {
    const { s, errors, send } = await setup();
    const bad = { ...invoice(3, 2), dueDate: "1st of May" };
    await send("invoices/upsert", [invoice(1, 2), invoice(2, 2), bad, invoice(4, 2)]);
    expect(
      s.ledger
        .invoicesOf("A0")
        .map((i) => i.id)
        .sort(),
    ).toEqual(["INV2", "INV4"]);
    expect(s.ledger.invoice("INV3")).toBeUndefined();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      source: "mqtt",
      where: "duegate/gw1/invoices/upsert",
      field: "/2/dueDate",
      code: "api.payload_invalid",
    });
    expect(errors[0]!.message).toContain("INV3");
  });

  it("reports an invoice for an unknown account with the ledger's reason", async () => {
    const { errors, send } = await setup();
    await send("invoices/upsert", { ...invoice(1, 2), accountId: "NOPE" });
    expect(errors[0]).toMatchObject({ field: "/accountId" });
    expect(errors[0]!.message).toMatch(/unknown/);
  });

  it("quotes at most an excerpt of the sender's bytes in the error event (an unknown 1 MB field name, a long topic)", async () => {
    const { errors, send } = await setup();
    await send("accounts/upsert", { ...account(5), ["k".repeat(1_000_000)]: 1 });
    await send(`x${"t".repeat(100_000)}/upsert`, {});
    expect(errors).toHaveLength(2);
    expect(errors[0]!.field).toBe(`/${"k".repeat(79)}… (999921 more)`);
    expect(JSON.stringify(errors[0]).length).toBeLessThan(2000);
    expect(errors[1]!.code).toBe("api.unknown_topic");
    expect(JSON.stringify(errors[1]).length).toBeLessThan(2000);
  });

  it("resolves (so the message is acknowledged) after refusing a payload that is not JSON", async () => {
    const { errors, send } = await setup();
    await expect(send("payments/record", "{not json")).resolves.toBeUndefined();
    expect(errors[0]).toMatchObject({ code: "api.payload_malformed", field: "" });
  });

  it("refuses a batch over the limit whole", async () => {
    const { s, errors, send } = await setup();
    await send(
      "invoices/upsert",
      Array.from({ length: 51 }, (_, i) => invoice(i, 2)),
    );
    expect(s.ledger.invoicesOf("A0")).toHaveLength(0);
    expect(errors[0]!.message).toMatch(/over the limit of 50/);
  });

  it("rejects (no PUBACK) when the ledger cannot write", async () => {
    const { s, send } = await setup();
    s.ledger.upsertInvoices = async () => {
      throw new Error("EIO: disk failed");
    };
    await expect(send("invoices/upsert", invoice(1, 2))).rejects.toThrow(/EIO/);
  });

  it("queues a send request once, however often it is republished", async () => {
    const { s, send, errors } = await setup();
    const req = { id: "order-77", to: "+4917612345678", text: "Your order shipped" };
    await send("send", req);
    await send("send", req);
    expect(s.outbox.messages.size).toBe(1);
    expect([...s.outbox.messages.values()][0]).toMatchObject({ idempotencyKey: "send:order-77", priority: 1 });
    await send("send", { ...req, id: "x", to: "0000" });
    expect(errors[0]).toMatchObject({ field: "/to", code: "outbox.invalid_number" });
  });

  it("changes an opt-out and refuses one naming neither account nor number", async () => {
    const { s, send, errors } = await setup();
    await send("optout", { accountId: "A1", optedOut: true });
    expect(s.ledger.account("A1")?.optedOut).toBe(true);
    await send("optout", { optedOut: true });
    expect(errors[0]!.message).toMatch(/accountId or number/);
  });

  it("answers requests on response/<what> with the transaction echoed", async () => {
    const { send, responses } = await setup();
    await send("request/balance", { accountId: "A0", transaction: "t-1" });
    expect(responses[0]).toMatchObject({
      what: "balance",
      body: { status: "ok", transaction: "t-1", data: { openInvoices: 0 } },
    });
    await send("request/balance", { accountId: "ZZ", transaction: 9 });
    expect(responses[1]!.body).toMatchObject({
      status: "error",
      code: "domain.not_found",
      field: "/accountId",
      transaction: 9,
    });
    await send("request/reboot", { transaction: "t-3" });
    expect(responses[2]!.body).toMatchObject({ status: "error", code: "api.unknown_topic", transaction: "t-3" });
    await send("request/status", {});
    expect(responses[3]!.body).toMatchObject({
      status: "ok",
      data: { state: "online", gatewayId: "gw1", queue: { queued: 0 } },
    });
  });

  it("refuses an unknown topic under the prefix", async () => {
    const { send, errors } = await setup();
    await send("invoices/delete", { id: "x" });
    expect(errors[0]).toMatchObject({ code: "api.unknown_topic" });
  });
});
