import { loadConfig, validateConfig } from "../config/load.js";
import { freePort } from "./free-port.js";
import { createLogger, LogRing } from "../core/log.js";
import { maskNumber } from "../core/mask.js";
import { errorMessage } from "../core/errors.js";
import { createApp, type App } from "../app.js";
import { sampleLedger, isoDate } from "../demo/sample-data.js";
import { flagOverrides, parseListen } from "./options.js";
import { installSignalHandlers } from "./signals.js";

/**
 * `duegate demo`: the whole product on a simulated modem. Embedded defaults (broker, storage,
 * simulator), quiet hours opened so that something happens at any hour, sample customers with
 * invoices due at the policy's offsets, and simulated debtors who answer. It prints the story.
 */
const DEMO_BASE = {
  gateway: { dataDir: "./data/demo", companyName: "Northwind Alarm Services", supportContact: "+49 30 1234567 (Mon-Fri 9-17)", ownNumber: "+491700000000" },
  modem: { port: "sim", healthIntervalSeconds: 10, simulator: { sendLatencyMs: 400, deliveryReportDelayMs: 2500 } },
  // Two simulated SIMs (+491700000000 and the next number): reminders spread over both.
  modems: [
    { id: "sim1", port: "sim" },
    { id: "sim2", port: "sim" },
  ],
  outbox: { sendWindow: { start: "00:00", end: "23:59" }, retry: { baseDelayMs: 2000 } },
  dunning: { requireTrustedClock: false, evaluateCron: "*/30 * * * * *" },
  http: { listen: "127.0.0.1:8080", adminPassword: "demo-admin" },
  mqtt: { mode: "embedded", embedded: { host: "127.0.0.1", port: 1883 } },
};

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function demoCommand(opts: Record<string, string | boolean | undefined>): Promise<void> {
  const strings = Object.fromEntries(Object.entries(opts).filter((e): e is [string, string] => typeof e[1] === "string"));
  const loaded = loadConfig({ ...(strings.config ? { file: strings.config } : {}), base: DEMO_BASE, overrides: flagOverrides(strings) }).config;
  // A Mosquitto installed for the tests, or another program, may hold 1883 or 8080: the demo moves aside.
  const { host: httpHost, port: httpPort } = parseListen(loaded.http.listen);
  const brokerPort = loaded.mqtt.mode === "embedded" ? await freePort(loaded.mqtt.embedded.host, loaded.mqtt.embedded.port) : loaded.mqtt.embedded.port;
  const config = validateConfig({
    ...loaded,
    http: { ...loaded.http, listen: `${httpHost}:${await freePort(httpHost, httpPort)}` },
    mqtt: { ...loaded.mqtt, embedded: { ...loaded.mqtt.embedded, port: brokerPort } },
  });
  const logRing = new LogRing();
  const logger = createLogger({ level: strings.logLevel ?? "warn", pretty: true, ring: logRing });
  const app = await createApp(config, { logger, logRing });
  installSignalHandlers({ stop: () => app.stop(), reload: () => app.reload(), logger });
  narrate(app);
  await app.start();

  const { ledger, dunning, clock } = app.services;
  if (ledger.stats().accounts === 0) {
    const sample = sampleLedger(Number(strings.accounts ?? 40), clock.now());
    await ledger.upsertAccounts(sample.accounts);
    await ledger.upsertInvoices(sample.invoices);
    print(`  sample data: ${sample.accounts.length} customers, ${sample.invoices.length} open invoices`);
  }
  const mqtt = config.mqtt.mode === "embedded" ? `mqtt://${config.mqtt.embedded.host}:${config.mqtt.embedded.port}` : config.mqtt.mode === "external" ? config.mqtt.url : "off";
  print("");
  print("duegate demo is running on a simulated modem. Where to look:");
  print(`  web panel   ${app.httpUrl ?? `http://${config.http.listen}`}/   (user admin, password ${config.http.adminPassword})`);
  print(`  MQTT        ${mqtt}   try: mosquitto_sub -h ${config.mqtt.embedded.host} -p ${config.mqtt.embedded.port} -t '${config.mqtt.baseTopic}/#' -v`);
  print(`  data        ${config.gateway.dataDir}`);
  print("  Reminders go out below as the engine decides; simulated debtors answer in a moment. Ctrl-C stops.");
  print("");
  const report = await dunning.evaluate();
  print(`  engine: ${report.enqueued} reminders queued now (${report.consolidated} consolidated); the rest wait for their step's time of day or due date`);
  scriptDebtors(app);
}

/** Prints each event of the flow as one line. */
function narrate(app: App): void {
  const { bus } = app.services;
  bus.on("message.state", "demo", (m) => {
    if (m.state === "queued" || m.state === "sending") return;
    const what = m.origin.kind === "dunning" ? `reminder ${m.origin.step ?? ""}`.trim() : m.origin.kind;
    print(`  → ${m.state.padEnd(9)} ${what.padEnd(22)} to ${maskNumber(m.to)}${m.origin.accountId ? ` (${m.origin.accountId})` : ""}${m.reason ? `: ${m.reason}` : ""}`);
  });
  bus.on("inbound.received", "demo", (m) => print(`  ← inbound   from ${maskNumber(m.from)}: "${m.text.slice(0, 60)}"`));
  bus.on("keyword.action", "demo", (k) => print(`  ✓ keyword   ${k.keyword.toUpperCase()} from ${maskNumber(k.from)}${k.promiseDate ? ` promised ${k.promiseDate}` : ""}`));
  bus.on("account.mark", "demo", (m) => print(`  ! account   ${m.accountId} marked for ${m.mark} (${m.step})`));
}

/** Simulated debtors answering the reminders, a few seconds apart. */
function scriptDebtors(app: App): void {
  const { modem, ledger, clock, logger } = app.services;
  const sim = modem.simulator;
  if (!sim) return;
  const accounts = ledger.listAccounts({ limit: 6 }).items;
  const debtor = (i: number, text: string) => {
    const to = accounts[i]?.phones[0];
    if (to) sim.injectInbound(to, text);
  };
  const inTwoWeeks = isoDate(clock.now() + 14 * 86_400_000, "UTC");
  const script: Array<[number, () => void | Promise<unknown>]> = [
    [6_000, () => debtor(0, "Balance?")],
    [9_000, () => debtor(1, `PROMISE ${inTwoWeeks}`)],
    [12_000, () => debtor(2, "stop")],
    [15_000, () => debtor(3, "Paid yesterday by bank transfer")],
    [18_000, () => debtor(4, "DISPUTE the alarm was not working in October, I will not pay this month")],
    [21_000, () => sim.injectInbound("+4915199999999", "balance")],
    [
      24_000,
      () => {
        const a = accounts[5];
        if (!a) return;
        const inv = ledger.invoicesOf(a.id).find((i) => i.status === "open");
        if (!inv) return;
        print(`  $ payment   accounting reports ${a.id} paid ${inv.number} in full`);
        return ledger.recordPayments([{ id: `PAY-demo-${inv.id}`, invoiceId: inv.id, amount: inv.amountDue, date: isoDate(clock.now(), "UTC") }]);
      },
    ],
  ];
  for (const [delay, step] of script) {
    const t = setTimeout(() => {
      Promise.resolve()
        .then(step)
        .catch((e: unknown) => logger.warn({ err: errorMessage(e) }, "demo step failed"));
    }, delay);
    t.unref();
  }
}
