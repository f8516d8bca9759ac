/**
 * The demo's configuration base (flags, environment and a --config file still win): embedded
 * broker, simulated modem, data in ./data/demo, and a send window opened to the whole day so
 * that reminders show at any hour; the console says that the window is widened.
 */
export const DEMO_WINDOW = { start: "00:00", end: "23:59" };
export const DEMO_BASE = {
  gateway: {
    dataDir: "./data/demo",
    companyName: "Northwind",
    supportContact: "+49 30 1234567 (Mon-Fri 9-17)",
    ownNumber: "+491700000000",
  },
  modem: { port: "sim", healthIntervalSeconds: 10, simulator: { sendLatencyMs: 400, deliveryReportDelayMs: 2500 } },
  // Two simulated SIMs (+491700000000 and the next number): reminders spread over both.
  modems: [
    { id: "sim1", port: "sim" },
    { id: "sim2", port: "sim" },
  ],
  outbox: { sendWindow: DEMO_WINDOW, retry: { baseDelayMs: 2000 } },
  dunning: { requireTrustedClock: false, evaluateCron: "*/30 * * * * *" },
  http: { listen: "127.0.0.1:8080", adminPassword: "demo-admin" },
  // A known accounting login, so that the hint printed at start works as printed (a real install generates one).
  mqtt: {
    mode: "embedded",
    embedded: {
      host: "127.0.0.1",
      port: 1883,
      username: "accounting",
      password: "demo-mqtt-secret",
      tls: { host: "127.0.0.1", port: 8883 },
    },
  },
};
