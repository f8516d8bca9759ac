/**
 * The pool's port watch on real folders: a by-id name that appears or goes is reported once,
 * by fs.watch at once, and by the periodic look when there was no folder to watch yet (the
 * kernel's /dev/serial/by-id exists only while some USB serial device does).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/clock.js";
import { silentLogger } from "../../src/core/log.js";
import { isDevicePath, PortWatcher } from "../../src/modem/index.js";
import { waitFor } from "./helpers.js";

let watcher: PortWatcher | undefined;
let dir: string | undefined;
afterEach(() => {
  watcher?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
  watcher = undefined;
  dir = undefined;
});

describe("PortWatcher", () => {
  it("reports a by-id name appearing and going, each change once, through fs.watch", async () => {
    dir = mkdtempSync(join(tmpdir(), "duegate-portwatch-"));
    const target = join(dir, "ttyUSB7");
    writeFileSync(target, "");
    const byId = join(dir, "usb-Quectel_EC25_0007-if02-port0");
    // A long interval: only the watch can see the change in time.
    watcher = new PortWatcher({ clock: new ManualClock(0), logger: silentLogger(), recheckMs: 3_600_000 });
    const changes: Array<[string, boolean]> = [];
    watcher.onChange((p, present) => changes.push([p, present]));
    expect(watcher.add(byId)).toBe(false);
    watcher.start();
    symlinkSync(target, byId);
    await waitFor(() => changes.length === 1, "the name seen appearing", 5000);
    unlinkSync(byId);
    await waitFor(() => changes.length === 2, "the name seen going", 5000);
    expect(changes).toEqual([
      [byId, true],
      [byId, false],
    ]);
    expect(watcher.isPresent(byId)).toBe(false);
  });

  it("finds a name in a folder that did not exist at start by its periodic look", async () => {
    dir = mkdtempSync(join(tmpdir(), "duegate-portwatch-"));
    const folder = join(dir, "serial", "by-id");
    const byId = join(folder, "usb-SimTech_SIM7600_0001-if02-port0");
    const clock = new ManualClock(0);
    watcher = new PortWatcher({ clock, logger: silentLogger(), recheckMs: 5000 });
    const changes: Array<[string, boolean]> = [];
    watcher.onChange((p, present) => changes.push([p, present]));
    watcher.add(byId);
    watcher.start();
    mkdirSync(folder, { recursive: true });
    writeFileSync(byId, "");
    await clock.advance(4999);
    expect(changes).toEqual([]);
    await clock.advance(1);
    expect(changes).toEqual([[byId, true]]);
  });

  it("watches device paths only: not the simulator, not a TCP modem, not a relative name", () => {
    expect(isDevicePath("/dev/serial/by-id/usb-Quectel_EC25_0001-if02-port0")).toBe(true);
    expect(isDevicePath("/dev/duegate-modem-2")).toBe(true);
    expect(isDevicePath("sim")).toBe(false);
    expect(isDevicePath("tcp://10.0.0.5:4001")).toBe(false);
    expect(isDevicePath("ttyUSB0")).toBe(false);
  });
});
