import { loadConfig, validateConfig } from "../config/load.js";
import { freePort } from "./free-port.js";
import { createLogger, LogRing } from "../core/log.js";
import { maskNumber } from "../core/mask.js";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { ManualClock, type Clock } from "../core/clock.js";
import { createApp, type App } from "../app.js";
import { sampleLedger } from "../demo/sample-data.js";
import { parseDemoClock, shiftedClock } from "../demo/demo-clock.js";
import { nextBatch } from "../demo/next-reminders.js";
import { colourWanted, painter, type Paint } from "../demo/paint.js";
import { ScriptMemory } from "../demo/script-memory.js";
import { runTimeLapse, summaryLines } from "../demo/time-lapse.js";
import { OutboxSection } from "../config/sections/outbox.js";
import { DEMO_BASE } from "../demo/demo-config.js";
import { localDate } from "../core/calendar.js";
import { flagOverrides } from "./options.js";
import { parseListen } from "../config/listen.js";
import { installSignalHandlers } from "./signals.js";
import type { Config } from "../config/schema.js";
import { redactUrl } from "../bridge/client.js";

/**
 * `duegate demo`: the whole product on a simulated modem. Embedded defaults (broker, storage,
 * simulator), a send window opened to the whole day so that something happens at any hour (and
 * the console says so), sample customers in nine languages with invoices placed so that some
 * step is due within a minute of start, and simulated debtors who answer once per data directory.
 * It prints the story.
 */
/** The product's own window, to say honestly how far the demo's is widened. */
const PRODUCT_WINDOW = OutboxSection.properties.sendWindow.properties;

function print(line: string): void {
  process.stdout.write(`${line}\n`);
}

export async function demoCommand(opts: Record<string, string | boolean | undefined>): Promise<void> {
  const strings = Object.fromEntries(
    Object.entries(opts).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const paint = painter(colourWanted(process.stdout, process.env));
  const fastDays = opts.fast === undefined || opts.fast === false ? undefined : parseFastDays(opts.fast);
  const startAt = strings.clock !== undefined ? parseDemoClock(strings.clock) : undefined;
  // The time-lapse moves a ManualClock itself; otherwise the demo runs in real time, shifted by --clock.
  const lapseClock = fastDays !== undefined ? new ManualClock(startAt ?? Date.now()) : undefined;
  const clock: Clock | undefined = lapseClock ?? (startAt !== undefined ? shiftedClock(startAt) : undefined);
  const loaded = loadConfig({
    ...(strings.config ? { file: strings.config } : {}),
    base: fastDays !== undefined ? { ...DEMO_BASE, ...FAST_BASE } : DEMO_BASE,
    overrides: flagOverrides(strings),
  }).config;
  // A Mosquitto installed for the tests, or another program, may hold 1883 or 8080: the demo moves aside.
  const { host: httpHost, port: httpPort } = parseListen(loaded.http.listen);
  const embedded = loaded.mqtt.embedded;
  const brokerPort = loaded.mqtt.mode === "embedded" ? await freePort(embedded.host, embedded.port) : embedded.port;
  const tlsPort =
    loaded.mqtt.mode === "embedded" && embedded.tls.enabled
      ? await freePort(embedded.tls.host, embedded.tls.port)
      : embedded.tls.port;
  const config = validateConfig({
    ...loaded,
    http: { ...loaded.http, listen: `${httpHost}:${await freePort(httpHost, httpPort)}` },
    mqtt: { ...loaded.mqtt, embedded: { ...embedded, port: brokerPort, tls: { ...embedded.tls, port: tlsPort } } },
  });
  const logRing = new LogRing();
  const logger = createLogger({ level: strings.logLevel ?? "warn", pretty: true, ring: logRing });
  const demoClock = lapseClock
    ? { mode: "time-lapse" as const, speed: Math.round(DAY_MS / FAST_DAY_MS) }
    : clock
      ? { mode: "shifted" as const, speed: 1 }
      : undefined;
  const app = await createApp(config, { logger, logRing, ...(clock ? { clock, demoClock } : {}) });
  const closingLine = `duegate demo stopped; its data stays in ${config.gateway.dataDir}.`;
  installSignalHandlers({
    stop: () => app.stop(),
    reload: () => app.reload(),
    logger,
    onStopped: () => print(closingLine),
  });
  narrate(app, paint);
  await app.start();

  const { ledger, dunning } = app.services;
  const now = app.services.clock.now();
  if (ledger.stats().accounts === 0) {
    const sample = sampleLedger(Number(strings.accounts ?? 40), now);
    await ledger.upsertAccounts(sample.accounts);
    await ledger.upsertInvoices(sample.invoices);
    const languages = [...new Set(sample.accounts.map((a) => a.locale?.split("-")[0]))].join(", ");
    print(
      `  sample data: ${sample.accounts.length} customers in their own languages (${languages}), ${sample.invoices.length} open invoices`,
    );
  }
  print("");
  const sims = app.services.modems.list().length;
  print(
    paint(
      "bold",
      `duegate demo is running on ${sims === 1 ? "a simulated modem" : `${sims} simulated modems (one SIM each)`}. Where to look:`,
    ),
  );
  print(
    `  web panel   ${app.httpUrl ?? `http://${config.http.listen}`}/   (user admin, password ${config.http.adminPassword})`,
  );
  for (const line of mqttHint(config)) print(line);
  print(`  data        ${config.gateway.dataDir}`);
  if (lapseClock)
    print(
      `  demo clock  ${new Date(now).toISOString()}, a time-lapse of ${fastDays} days (--fast), some ${FAST_DAY_MS / 1000} s or more of real time a day`,
    );
  else if (clock) print(`  demo clock  started at ${new Date(now).toISOString()} (--clock), running at normal speed`);
  const window = config.outbox.sendWindow;
  if (window.start !== PRODUCT_WINDOW.start.default || window.end !== PRODUCT_WINDOW.end.default) {
    print(
      paint(
        "yellow",
        `  send window ${window.start}-${window.end} in each customer's time zone: widened for the demo so that reminders show at any hour (an appliance sends ${PRODUCT_WINDOW.start.default}-${PRODUCT_WINDOW.end.default} by default)`,
      ),
    );
  }
  print(
    lapseClock
      ? "  Reminders go out below, day by day; simulated debtors pay, promise or opt out. Ctrl-C stops."
      : "  Reminders go out below as the engine decides; simulated debtors answer in a moment. Ctrl-C stops.",
  );
  print("");
  const report = await dunning.evaluate();
  print(
    `  engine: ${report.enqueued} reminders queued now (${report.consolidated} consolidated): steps due today, or missed yesterday and sent within the grace days`,
  );
  printNext(app, paint);
  if (lapseClock) {
    const summary = await runTimeLapse(app, lapseClock, { days: fastDays!, dayMs: FAST_DAY_MS, print });
    print("");
    for (const line of summaryLines(summary)) print(paint("cyan", line));
    print("");
    await app.stop();
    print(closingLine);
    process.exit(0);
  }
  watchEvaluations(app, paint, report.at);
  await scriptDebtors(app, paint);
}

/** Real time a simulated day takes in the time-lapse: a month in about two and a half minutes. */
const FAST_DAY_MS = 5_000;
const DAY_MS = 86_400_000;

/** In demo time an evaluation every 15 minutes and an hourly modem check are plenty (each fires as the clock passes it). */
const FAST_BASE = {
  dunning: { ...DEMO_BASE.dunning, evaluateCron: "0 */15 * * * *" },
  modem: { ...DEMO_BASE.modem, healthIntervalSeconds: 3600 },
};

/** `--fast` alone: a month; `--fast 7`: a week (1 to 366 days). */
function parseFastDays(value: string | boolean): number {
  if (value === true) return 30;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 366) {
    throw new DuegateError(
      ErrorCode.ConfigInvalid,
      `--fast ${JSON.stringify(value)} is invalid, expected a number of simulated days from 1 to 366`,
      { flag: "--fast" },
    );
  }
  return n;
}

/** "next reminders: 14 at 10:00 tomorrow (each customer's local time)", from the forward calendar. */
function printNext(app: App, paint: Paint): void {
  const { dunning, ledger, clock } = app.services;
  const next = nextBatch(
    dunning.forecast(8),
    dunning.policy(),
    (id) => dunning.zoneOf(ledger.account(id) ?? { phones: [] }),
    clock.now(),
  );
  print(
    paint(
      "cyan",
      next
        ? `  next reminders: ${next.count} at ${next.time} ${next.when} (each customer's local time)`
        : "  next reminders: none in the coming week",
    ),
  );
}

/** After each scheduled evaluation that queued reminders, says so and what comes next. */
function watchEvaluations(app: App, paint: Paint, since: number): void {
  let last = since;
  const timer = setInterval(() => {
    const r = app.services.dunning.lastEvaluation();
    if (!r || r.at === last) return;
    last = r.at;
    if (r.status !== "done" || r.enqueued === 0) return;
    print(`  engine: ${r.enqueued} more reminders queued`);
    printNext(app, paint);
  }, 5_000);
  timer.unref();
}

/** Where the demo's MQTT is and a command that reads it, with the login it needs; nothing when MQTT is off. */
export function mqttHint(config: Config): string[] {
  const { mqtt } = config;
  const topics = `'${mqtt.baseTopic}/${config.gateway.id}/#'`;
  if (mqtt.mode === "external") return [`  MQTT        ${redactUrl(mqtt.url)} (your broker; topics ${topics})`];
  if (mqtt.mode !== "embedded") return ["  MQTT        off"];
  const e = mqtt.embedded;
  const login =
    e.username || e.password
      ? `-u ${e.username || "accounting"} -P '${e.password}'`
      : "-u accounting -P <the password in the first start's log>";
  return [
    `  MQTT        mqtt://${e.host}:${e.port}   try: mosquitto_sub -h ${e.host} -p ${e.port} ${login} -t ${topics} -v`,
  ];
}

/** Prints each event of the flow as one line. */
function narrate(app: App, paint: Paint): void {
  const { bus } = app.services;
  bus.on("message.state", "demo", (m) => {
    if (m.state === "queued" || m.state === "sending") return;
    const what = m.origin.kind === "dunning" ? `reminder ${m.origin.step ?? ""}`.trim() : m.origin.kind;
    const state =
      m.state === "failed" || m.state === "cancelled"
        ? paint("red", m.state.padEnd(9))
        : m.state === "delivered"
          ? paint("green", m.state.padEnd(9))
          : m.state.padEnd(9);
    print(
      `  → ${state} ${what.padEnd(22)} to ${maskNumber(m.to)}${m.origin.accountId ? ` (${m.origin.accountId})` : ""}${m.reason ? `: ${m.reason}` : ""}`,
    );
  });
  bus.on("inbound.received", "demo", (m) =>
    print(`  ← inbound   from ${maskNumber(m.from)}: "${m.text.slice(0, 60)}"`),
  );
  bus.on("keyword.action", "demo", (k) =>
    print(
      `  ✓ keyword   ${k.keyword.toUpperCase()} from ${maskNumber(k.from)}${k.promiseDate ? ` promised ${k.promiseDate}` : ""}`,
    ),
  );
  bus.on("account.mark", "demo", (m) =>
    print(paint("yellow", `  ! account   ${m.accountId} marked for ${m.mark} (${m.step})`)),
  );
}

/**
 * Simulated debtors answering the reminders, a few seconds apart. Each step plays once per data
 * directory (demo-script.json): a restarted demo does not fill the inbox with the same texts again.
 */
async function scriptDebtors(app: App, paint: Paint): Promise<void> {
  const { modem, ledger, clock, logger, config } = app.services;
  const sim = modem.simulator;
  if (!sim) return;
  const memory = await ScriptMemory.open(config.gateway.dataDir, logger);
  const accounts = ledger.listAccounts({ limit: 6 }).items;
  const debtor = (i: number, text: string) => {
    const to = accounts[i]?.phones[0];
    if (to) sim.injectInbound(to, text);
  };
  const inTwoWeeks = localDate(clock.now() + 14 * 86_400_000, "UTC");
  const script: Array<[string, number, () => void | Promise<unknown>]> = [
    ["balance", 6_000, () => debtor(0, "Balance?")],
    ["promise", 9_000, () => debtor(1, `PROMISE ${inTwoWeeks}`)],
    ["stop", 12_000, () => debtor(2, "stop")],
    ["paid-claim", 15_000, () => debtor(3, "Paid yesterday by bank transfer")],
    ["dispute", 18_000, () => debtor(4, "DISPUTE the alarm was not working in October, I will not pay this month")],
    ["stranger", 21_000, () => sim.injectInbound("+4915199999999", "balance")],
    [
      "payment",
      24_000,
      () => {
        const a = accounts[5];
        if (!a) return;
        const inv = ledger.invoicesOf(a.id).find((i) => i.status === "open");
        if (!inv) return;
        print(`  $ payment   accounting reports ${a.id} paid ${inv.number} in full`);
        return ledger.recordPayments([
          { id: `PAY-demo-${inv.id}`, invoiceId: inv.id, amount: inv.amountDue, date: localDate(clock.now(), "UTC") },
        ]);
      },
    ],
  ];
  const toPlay = script.filter(([id]) => !memory.has(id));
  if (toPlay.length < script.length) {
    print(
      paint(
        "dim",
        `  simulated debtors: ${script.length - toPlay.length} of ${script.length} answers were played in an earlier run and are in the inbox already (${memory.path})`,
      ),
    );
  }
  for (const [id, delay, step] of toPlay) {
    const t = setTimeout(() => {
      Promise.resolve()
        .then(() => memory.remember(id))
        .then(step)
        .catch((e: unknown) => logger.warn({ err: errorMessage(e) }, "demo step failed"));
    }, delay);
    t.unref();
  }
}
