#!/usr/bin/env node
/**
 * The `duegate` command: argv → one verb in src/cli/. Verbs load their modules lazily so that
 * `duegate pdu decode` does not start a web server's worth of imports on a Pi.
 */
import { Command, Option } from "commander";
import { errorMessage, isDuegateError } from "./core/errors.js";
import { VERSION } from "./version.js";

// Everything duegate creates (data, backups, the TLS key, settings.yaml) is for its own user:
// files 0600, folders 0700 whatever the umask of the shell or unit that started it. The
// stores set these modes themselves too (src/store/private-files.ts); this covers the rest.
process.umask(0o077);

const program = new Command()
  .name("duegate")
  .description("SMS payment-reminder gateway: ledger, dunning engine, durable outbox and GSM modem driver.")
  .version(VERSION)
  .showHelpAfterError();

const modemOption = () =>
  new Option(
    "--modem <port>",
    "the modem: a device path (/dev/duegate-modem, /dev/serial/by-id/...), tcp://host:port, or sim",
  );

function serviceOptions(cmd: Command): Command {
  return cmd
    .option("--config <file>", "YAML configuration file (default ./duegate.yaml when present)")
    .addOption(modemOption())
    .option("--data <dir>", "data directory (gateway.dataDir)")
    .option("--http <host:port>", "HTTP API and web panel address (http.listen)")
    .option("--mqtt <url|embedded|off>", "MQTT broker URL, embedded (run one here) or off")
    .option("--log-level <level>", "trace, debug, info, warn, error");
}

serviceOptions(program.command("run").description("run the gateway service")).action(
  async (opts: Record<string, string | undefined>) => {
    const { runCommand } = await import("./cli/run.js");
    await runCommand(opts);
  },
);

serviceOptions(
  program.command("demo").description("run the gateway on the simulated modem with sample data and embedded defaults"),
)
  .option("--accounts <n>", "sample accounts to create", "40")
  .option(
    "--fast [days]",
    "time-lapse: a simulated month (or this many days) in a few minutes on the demo's clock, ending with a summary",
  )
  .option(
    "--clock <instant>",
    "start the demo's clock at this ISO 8601 instant with its offset (2026-12-07T05:00:00+01:00), to see the demo at another hour; the demo only",
  )
  .action(async (opts: Record<string, string | boolean | undefined>) => {
    const { demoCommand } = await import("./cli/demo.js");
    await demoCommand(opts);
  });

program
  .command("doctor")
  .description("diagnose a modem: ports, AT, model, SIM, IMSI, signal, registration, operator, SMS centre, storage")
  .addOption(modemOption())
  .option(
    "--modem-id <id>",
    "a modem of the pool (modems[].id in the configuration), with its own port, profile and PIN",
  )
  .option("--config <file>", "YAML configuration file")
  .option("--profile <name>", "modem profile from firmware-config/profiles")
  .option("--json", "print JSON instead of pass/fail lines")
  .action(async (opts: Record<string, string | boolean | undefined>) => {
    const { doctorCommand } = await import("./cli/tools.js");
    process.exitCode = await doctorCommand(opts);
  });

program
  .command("send")
  .description("send one SMS straight through a modem and print each part's message reference")
  .addOption(modemOption())
  .option("--config <file>", "YAML configuration file")
  .option("--profile <name>", "modem profile from firmware-config/profiles")
  .requiredOption("--to <number>", "recipient, E.164 or national")
  .requiredOption("--text <text>", "message text")
  .action(async (opts: Record<string, string | undefined>) => {
    const { sendCommand } = await import("./cli/tools.js");
    process.exitCode = await sendCommand(opts);
  });

const pdu = program.command("pdu").description("read and write PDUs as JSON, for technicians reading modem logs");
pdu
  .command("decode <hex>")
  .description("decode an SMS-DELIVER, SMS-STATUS-REPORT or SMS-SUBMIT PDU (with the SMSC prefix, as AT+CMGR shows it)")
  .option("--no-smsc", "the PDU has no SMSC prefix")
  .action(async (hex: string, opts: { smsc: boolean }) => {
    const { pduDecodeJson } = await import("./cli/tools.js");
    process.exitCode = pduDecodeJson(hex, opts.smsc);
  });
pdu
  .command("encode")
  .description("encode an SMS-SUBMIT: encoding, part count and the hex of each part")
  .requiredOption("--to <number>", "recipient in E.164 form")
  .requiredOption("--text <text>", "message text")
  .option("--srr", "request a status report")
  .option("--smsc <number>", "SMS centre to put in the PDU (default: the SIM's)")
  .option(
    "--locale <tag>",
    "the recipient's locale (national shift tables for tr, es, pt); default: the number's country",
  )
  .action(async (opts: { to: string; text: string; srr?: boolean; smsc?: string; locale?: string }) => {
    const { pduEncodeJson } = await import("./cli/tools.js");
    process.exitCode = pduEncodeJson(opts);
  });

program
  .command("backup <file>")
  .description("write a consistent backup of the data directory (safe while the service runs)")
  .option("--config <file>", "YAML configuration file")
  .option("--data <dir>", "data directory")
  .action(async (file: string, opts: Record<string, string | undefined>) => {
    const { backupCommand } = await import("./cli/tools.js");
    process.exitCode = await backupCommand(file, opts);
  });

program
  .command("restore <file>")
  .description("restore a backup into the data directory (refuses while the service runs unless --force)")
  .option("--config <file>", "YAML configuration file")
  .option("--data <dir>", "data directory")
  .option("--force", "restore even though the data directory looks in use")
  .action(async (file: string, opts: Record<string, string | boolean | undefined>) => {
    const { restoreCommand } = await import("./cli/tools.js");
    process.exitCode = await restoreCommand(file, opts);
  });

program
  .command("config")
  .description("validate the configuration and print it with defaults filled in (secrets hidden)")
  .option("--config <file>", "YAML configuration file")
  .action(async (opts: Record<string, string | undefined>) => {
    const { configCommand } = await import("./cli/tools.js");
    process.exitCode = configCommand(opts);
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  // Expected failures (bad config, modem absent) end with their message, not a stack trace.
  console.error(isDuegateError(e) ? `duegate: ${e.message}` : `duegate: unexpected error: ${errorMessage(e)}`);
  if (!isDuegateError(e) && e instanceof Error && e.stack) console.error(e.stack);
  process.exitCode = isDuegateError(e) && e.code.startsWith("config.") ? 78 : 1;
  // A service that failed to start has stopped what it started; should a handle still be
  // open, the process ends anyway instead of lingering half-started (unref: never delays an exit).
  setTimeout(() => process.exit(), 5000).unref();
});
