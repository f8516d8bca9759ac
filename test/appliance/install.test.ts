import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { lintUdevRules } from "./udev-rules.js";
import { loadConfig } from "../../src/config/load.js";

const REPO = join(import.meta.dirname, "..", "..");
const CI = process.env.CI === "true";

function has(cmd: string, args: string[] = ["--version"]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}
for (const tool of ["bash", "npm", "tar"]) if (!has(tool)) throw new Error(`${tool} is required for the install tests`);
const haveAnalyze = has("systemd-analyze");
if (!haveAnalyze && CI) throw new Error("CI: systemd-analyze is required to verify the unit");
// `udevadm verify` exists from systemd 254; the structural lint below runs everywhere.
const haveUdevVerify = spawnSync("udevadm", ["verify", "--help"], { stdio: "ignore" }).status === 0;

/** A source tree shaped like the repo, with a tiny package that builds in a second, offline. */
function fakeSource(dir: string): void {
  for (const p of [
    "scripts/install.sh",
    "scripts/uninstall.sh",
    "systemd",
    "firmware-config/udev",
    "firmware-config/usb_modeswitch",
  ])
    cpSync(join(REPO, p), join(dir, p), { recursive: true });
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify({
      name: "duegate",
      version: "0.0.0-test",
      private: true,
      type: "module",
      scripts: { build: "node build.mjs" },
    }),
  );
  writeFileSync(
    join(dir, "package-lock.json"),
    JSON.stringify({
      name: "duegate",
      version: "0.0.0-test",
      lockfileVersion: 3,
      requires: true,
      packages: { "": { name: "duegate", version: "0.0.0-test" } },
    }),
  );
  writeFileSync(
    join(dir, "build.mjs"),
    `import { mkdirSync, writeFileSync } from "node:fs";\nmkdirSync("dist/src", { recursive: true });\nwriteFileSync("dist/src/main.js", "console.log('duegate ' + process.argv.slice(2).join(' '));\\n");\n`,
  );
  mkdirSync(join(dir, "src"), { recursive: true });
  writeFileSync(join(dir, "src", "main.ts"), "// the build above stands in for tsc\n");
  // Things that must not be copied to /opt/duegate.
  for (const p of ["node_modules/junk", "test", ".git", "dist/stale"]) mkdirSync(join(dir, p), { recursive: true });
  writeFileSync(join(dir, "dist/stale/old.js"), "stale");
}

function run(script: string, args: string[]): { status: number; out: string } {
  const r = spawnSync("bash", [script, ...args], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, npm_config_update_notifier: "false" },
  });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      out.push(`${relative(root, p)}${e.isDirectory() ? "/" : ""}`);
      if (e.isDirectory()) walk(p);
    }
  };
  walk(root);
  return out.sort();
}

const mode = (p: string) => (statSync(p).mode & 0o7777).toString(8);

describe("scripts/install.sh --destdir", () => {
  let work: string;
  let src: string;
  let root: string;
  let first: string[];
  let installOutput = "";

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "duegate-install-"));
    src = join(work, "src");
    root = join(work, "root");
    fakeSource(src);
    const r = run(join(src, "scripts/install.sh"), ["--destdir", root, "--no-start"]);
    if (r.status !== 0) throw new Error(`install.sh failed:\n${r.out}`);
    expect(r.out).toContain("throwaway root: not calling systemctl");
    installOutput = r.out;
    first = tree(root);
  }, 180_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("lays out the app, config, data, unit, udev rule and command", () => {
    for (const p of [
      "opt/duegate/dist/src/main.js",
      "opt/duegate/package.json",
      "opt/duegate/package-lock.json",
      "etc/duegate/duegate.yaml",
      "var/lib/duegate/",
      "etc/systemd/system/duegate.service",
      "etc/udev/rules.d/99-duegate-modem.rules",
      "etc/modules-load.d/duegate.conf",
      "etc/sysusers.d/duegate.conf",
      "usr/local/bin/duegate",
    ])
      expect(first, p).toContain(p);
    expect(mode(join(root, "etc/duegate"))).toBe("750");
    expect(mode(join(root, "etc/duegate/duegate.yaml"))).toBe("640");
    expect(mode(join(root, "var/lib/duegate"))).toBe("700");
    expect(mode(join(root, "usr/local/bin/duegate"))).toBe("755");
    expect(readFileSync(join(root, "etc/systemd/system/duegate.service"), "utf8")).toBe(
      readFileSync(join(REPO, "systemd/duegate.service"), "utf8"),
    );
  });

  it("copies neither dependencies of the source tree, tests, git nor a stale dist", () => {
    expect(first.filter((p) => /^opt\/duegate\/(node_modules\/junk|test\/|\.git\/|dist\/stale)/.test(p))).toEqual([]);
  });

  it("writes a config that points at the appliance paths and leaves the broker login to the first start", () => {
    const file = join(root, "etc/duegate/duegate.yaml");
    const cfg = readFileSync(file, "utf8");
    expect(cfg).toContain("dataDir: /var/lib/duegate");
    expect(cfg).toContain("port: /dev/duegate-modem");
    // A login in the config file is "configured": the panel could never rotate it (src/bridge/credentials.ts).
    const { config } = loadConfig({ file });
    expect(config.mqtt.mode).toBe("embedded");
    expect(config.mqtt.embedded).toMatchObject({ username: "", password: "" });
    expect(cfg).not.toMatch(/^\s*(username|password):/m);
    // ... and the installer says where the generated logins are shown.
    expect(installOutput).toContain("journalctl -u duegate | grep -E 'created (MQTT )?user'");
  });

  it("installs a command that runs the built app with its arguments", () => {
    const wrapper = readFileSync(join(root, "usr/local/bin/duegate"), "utf8");
    expect(wrapper).toMatch(/^exec \S*node \/opt\/duegate\/dist\/src\/main\.js "\$@"$/m);
    const viaRoot = wrapper.replace("/opt/duegate/", `${root}/opt/duegate/`);
    writeFileSync(join(work, "wrapper.sh"), viaRoot);
    expect(
      execFileSync("sh", [join(work, "wrapper.sh"), "run", "--config", "/etc/duegate/duegate.yaml"], {
        encoding: "utf8",
      }),
    ).toBe("duegate run --config /etc/duegate/duegate.yaml\n");
  });

  it("declares the service user in group dialout", () => {
    const sysusers = readFileSync(join(root, "etc/sysusers.d/duegate.conf"), "utf8");
    expect(sysusers).toMatch(/^u duegate - .* \/var\/lib\/duegate \/usr\/sbin\/nologin$/m);
    expect(sysusers).toMatch(/^m duegate dialout$/m);
  });

  it("is idempotent: a second run keeps the config and gives the same tree", () => {
    const cfgPath = join(root, "etc/duegate/duegate.yaml");
    const edited = `${readFileSync(cfgPath, "utf8")}# edited by the operator\n`;
    writeFileSync(cfgPath, edited);
    writeFileSync(join(root, "var/lib/duegate/outbox.json"), "{}");
    const r = run(join(src, "scripts/install.sh"), ["--destdir", root, "--no-start"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toContain("keeping the existing");
    expect(readFileSync(cfgPath, "utf8")).toBe(edited);
    expect(existsSync(join(root, "var/lib/duegate/outbox.json"))).toBe(true);
    const second = tree(root).filter(
      (p) => !p.startsWith("opt/duegate.previous") && p !== "var/lib/duegate/outbox.json",
    );
    expect(second).toEqual(first);
    // The app replaced last time is kept for a rollback.
    expect(existsSync(join(root, "opt/duegate.previous/dist/src/main.js"))).toBe(true);
  }, 180_000);

  it("refuses unknown options", () => {
    const r = run(join(src, "scripts/install.sh"), ["--bogus"]);
    expect(r.status).toBe(2);
    expect(r.out).toContain("unknown option --bogus");
  });

  it.runIf(haveAnalyze)("installs a unit systemd-analyze verifies without complaints", () => {
    // The command lives at /usr/local/bin in the real root; point at the staged one.
    const unit = readFileSync(join(root, "etc/systemd/system/duegate.service"), "utf8").replace(
      "/usr/local/bin/duegate",
      join(root, "usr/local/bin/duegate"),
    );
    const dir = join(work, "unit");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "duegate.service"), unit);
    const r = spawnSync("systemd-analyze", ["verify", join(dir, "duegate.service")], { encoding: "utf8" });
    expect(r.stderr.split("\n").filter((l) => l.includes("duegate.service"))).toEqual([]);
    expect(r.status).toBe(0);
  });

  it.runIf(haveAnalyze)("keeps the unit's systemd-analyze security exposure low", () => {
    const r = spawnSync(
      "systemd-analyze",
      ["security", "--offline=true", "--no-pager", join(root, "etc/systemd/system/duegate.service")],
      { encoding: "utf8" },
    );
    const m = /Overall exposure level for duegate\.service: (\d+\.\d+)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.5);
  });

  it("has a unit with the agreed run command, notify type and hardening", () => {
    const unit = readFileSync(join(root, "etc/systemd/system/duegate.service"), "utf8");
    for (const line of [
      "Type=notify",
      "NotifyAccess=all",
      "ExecStart=/usr/local/bin/duegate run --config /etc/duegate/duegate.yaml",
      "ExecReload=/bin/kill -HUP $MAINPID",
      "User=duegate",
      "SupplementaryGroups=dialout",
      "Restart=on-failure",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ReadWritePaths=/var/lib/duegate",
      "PrivateTmp=yes",
      "ProtectHome=yes",
      "CapabilityBoundingSet=",
      "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK",
      "DeviceAllow=char-ttyUSB rw",
      "DeviceAllow=char-ttyACM rw",
      "StandardOutput=journal",
    ])
      expect(unit.split("\n"), line).toContain(line);
    expect(unit).toMatch(/^WatchdogSec=\d+/m);
    expect(unit).toMatch(/^MemoryMax=\d+M$/m);
  });

  it("installs a udev rule that passes the structural lint (and udevadm verify where present)", () => {
    const path = join(root, "etc/udev/rules.d/99-duegate-modem.rules");
    expect(lintUdevRules(readFileSync(path, "utf8"))).toEqual([]);
    if (haveUdevVerify) expect(spawnSync("udevadm", ["verify", path], { encoding: "utf8" }).status).toBe(0);
  });

  it("names the AT port of each supported modem, and only that port", () => {
    const rules = readFileSync(join(root, "etc/udev/rules.d/99-duegate-modem.rules"), "utf8")
      .split("\n")
      .filter((l) => l.includes('SYMLINK+="duegate-modem"'));
    const rule = (re: RegExp) => rules.filter((l) => re.test(l));
    // SIM7600 and EC25: interface 02 is the primary AT port (ModemManager 77-mm-*-port-types.rules).
    expect(rule(/"1e0e".*"9001".*\.DUEGATE_IFNUM\}=="02"/)).toHaveLength(1);
    expect(rule(/"2c7c".*"0125".*\.DUEGATE_IFNUM\}=="02"/)).toHaveLength(1);
    // Huawei: the PCUI port by interface protocol 02, and 12d1:1001's interface 02.
    expect(rule(/DUEGATE_HUAWEI.*bInterfaceProtocol\}=="02"/)).toHaveLength(1);
    expect(rule(/DUEGATE_HUAWEI.*"1001".*\.DUEGATE_IFNUM\}=="02"/)).toHaveLength(1);
    // USB-serial adapters for SIM800 boards, and any CDC-ACM modem as a last resort.
    for (const id of [/"1a86".*"7523"/, /"10c4".*"ea60"/, /"0403".*"6001"/, /"067b".*"2303"/])
      expect(rule(id)).toHaveLength(1);
    expect(rule(/KERNEL=="ttyACM\[0-9\]\*"/)).toHaveLength(1);
    // Known modems outrank adapters, which outrank anonymous ACM devices.
    const prio = (re: RegExp) => Number(/link_priority=(-?\d+)/.exec(rule(re)[0]!)![1]);
    expect(prio(/"1e0e"/)).toBeGreaterThan(prio(/"1a86"/));
    expect(prio(/"1a86"/)).toBeGreaterThan(prio(/ttyACM/));
  });

  it("uninstalls, keeping config and data unless --purge", () => {
    const r = run(join(src, "scripts/uninstall.sh"), ["--destdir", root]);
    expect(r.status, r.out).toBe(0);
    const left = tree(root);
    for (const gone of [
      "opt/duegate/",
      "opt/duegate.previous/",
      "etc/systemd/system/duegate.service",
      "etc/udev/rules.d/99-duegate-modem.rules",
      "etc/modules-load.d/duegate.conf",
      "usr/local/bin/duegate",
    ])
      expect(left, gone).not.toContain(gone);
    expect(left).toContain("etc/duegate/duegate.yaml");
    expect(left).toContain("var/lib/duegate/outbox.json");

    const purge = run(join(src, "scripts/uninstall.sh"), ["--destdir", root, "--purge"]);
    expect(purge.status, purge.out).toBe(0);
    expect(tree(root).filter((p) => p.includes("duegate"))).toEqual([]);
  });
});

describe("lintUdevRules", () => {
  it("catches the mistakes a udev rule file is prone to", () => {
    const bad = [
      'ATTRS{idVendor}=="1e0e" SYMLINK+="x"', // missing comma
      'KERNEL="ttyUSB0", SYMLINK+="x"', // assigning a match-only key
      'ATTRS{idVendor}=="1e0e", SYMLINK+="x', // unbalanced quote
      'FOO=="1", SYMLINK+="x"', // unknown key
      'ATTRS{idVendor}=="1e0e"', // assigns nothing
      'GOTO="nowhere"',
      'KERNEL=="x", OPTIONS+="link_prio=3"',
    ].join("\n");
    const lines = lintUdevRules(bad).map((p) => p.line);
    expect(new Set(lines)).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
  });
});
