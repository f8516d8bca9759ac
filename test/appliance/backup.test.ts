import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { backup, restore, type BackupManifest } from "../../src/system/backup.js";
import { TAR_END, tarEntry } from "../../src/system/tar.js";
import { isDuegateError, ErrorCode } from "../../src/core/errors.js";

let work: string;
let data: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), "duegate-backup-"));
  data = join(work, "data");
  mkdirSync(join(data, "history"), { recursive: true });
  writeFileSync(join(data, "outbox.json"), JSON.stringify({ messages: [{ id: "m1", state: "queued" }] }));
  writeFileSync(join(data, "ledger.json"), JSON.stringify({ accounts: { A1: { name: "Alarm customer" } } }));
  writeFileSync(join(data, "ledger.json.bak"), "{}");
  writeFileSync(join(data, "outbox.json.tmp"), "{ half");
  writeFileSync(join(data, "history", "messages-2026-01-01.jsonl"), '{"id":"m0"}\n{"id":"m9","st');
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

function listArchive(file: string): string[] {
  return execFileSync("tar", ["-tzf", file], { encoding: "utf8" }).trim().split("\n");
}

describe("backup", () => {
  it("writes a tar.gz that GNU tar reads, with the manifest last, and leaves scratch files out", async () => {
    const out = join(work, "b.tar.gz");
    const m = await backup(data, out);
    expect(listArchive(out)).toEqual([
      "data/history/messages-2026-01-01.jsonl",
      "data/ledger.json",
      "data/outbox.json",
      "manifest.json",
    ]);
    expect(m.consistency).toBe("snapshot");
    expect(m.files.map((f) => f.path)).toEqual(["history/messages-2026-01-01.jsonl", "ledger.json", "outbox.json"]);
    expect((statSync(out).mode & 0o777).toString(8)).toBe("600");
    const extracted = join(work, "x");
    mkdirSync(extracted);
    execFileSync("tar", ["-xzf", out, "-C", extracted]);
    const manifest = JSON.parse(readFileSync(join(extracted, "manifest.json"), "utf8")) as BackupManifest;
    expect(manifest.files.find((f) => f.path === "outbox.json")!.sha256).toBe(
      execFileSync("sha256sum", [join(extracted, "data/outbox.json")], { encoding: "utf8" }).split(" ")[0],
    );
    // The half-written last line of a history file is cut; the whole lines stay.
    expect(readFileSync(join(extracted, "data/history/messages-2026-01-01.jsonl"), "utf8")).toBe('{"id":"m0"}\n');
  });

  it("never archives a torn file while the store keeps renaming new versions in", async () => {
    let n = 0;
    let writing = true;
    // The store's pattern: write a tmp file, rename it over the real one. Bounded in count and time.
    const writer = (async () => {
      const started = Date.now();
      while (writing && n < 5000 && Date.now() - started < 5000) {
        const body = JSON.stringify({ n, pad: "x".repeat(20_000 + (n % 7) * 1000) });
        writeFileSync(join(data, "outbox.json.tmp"), body);
        renameSync(join(data, "outbox.json.tmp"), join(data, "outbox.json"));
        n++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const outs: string[] = [];
    for (let i = 0; i < 5; i++) {
      const out = join(work, `busy-${i}.tar.gz`);
      await backup(data, out, { attempts: 2 });
      outs.push(out);
    }
    writing = false;
    await writer;
    expect(n).toBeGreaterThan(10);
    for (const out of outs) {
      const dir = join(work, `x-${out.slice(-9, -7)}`);
      mkdirSync(dir, { recursive: true });
      execFileSync("tar", ["-xzf", out, "-C", dir]);
      const body = readFileSync(join(dir, "data/outbox.json"), "utf8");
      expect(() => JSON.parse(body)).not.toThrow();
    }
  });

  it("refuses a data directory that does not exist", async () => {
    await expect(backup(join(work, "nope"), join(work, "b.tar.gz"))).rejects.toMatchObject({
      code: ErrorCode.BackupInvalid,
    });
  });
});

describe("restore", () => {
  it("restores every file byte for byte into an empty directory", async () => {
    const out = join(work, "b.tar.gz");
    await backup(data, out);
    const target = join(work, "restored");
    const report = await restore(out, target);
    expect(report.files).toBe(3);
    expect(readFileSync(join(target, "outbox.json"), "utf8")).toBe(readFileSync(join(data, "outbox.json"), "utf8"));
    expect(readFileSync(join(target, "ledger.json"), "utf8")).toBe(readFileSync(join(data, "ledger.json"), "utf8"));
    expect(existsSync(join(target, "history/messages-2026-01-01.jsonl"))).toBe(true);
    expect(report.previousDataDir).toBeUndefined();
    expect(readdirSync(target).filter((n) => n.startsWith(".restore-"))).toEqual([]);
  });

  it("moves the data that was there aside instead of deleting it", async () => {
    const out = join(work, "b.tar.gz");
    await backup(data, out);
    writeFileSync(join(data, "outbox.json"), JSON.stringify({ messages: [] }));
    writeFileSync(join(data, "new-since-backup.json"), "{}");
    const report = await restore(out, data);
    expect(JSON.parse(readFileSync(join(data, "outbox.json"), "utf8"))).toEqual({
      messages: [{ id: "m1", state: "queued" }],
    });
    expect(existsSync(join(data, "new-since-backup.json"))).toBe(false);
    expect(report.previousDataDir).toMatch(/\.pre-restore-/);
    expect(readFileSync(join(report.previousDataDir!, "new-since-backup.json"), "utf8")).toBe("{}");
  });

  it("refuses to run over a live service's lock unless forced", async () => {
    const out = join(work, "b.tar.gz");
    await backup(data, out);
    writeFileSync(join(data, "duegate.lock"), String(process.pid)); // this process is alive
    const err = await restore(out, data).catch((e: unknown) => e);
    expect(isDuegateError(err, ErrorCode.RestoreRefused)).toBe(true);
    expect(String((err as Error).message)).toContain("systemctl stop duegate");
    await expect(restore(out, data, { force: true })).resolves.toMatchObject({ files: 3 });
    // A lock left by a dead process does not block.
    writeFileSync(join(data, "duegate.lock"), "999999999");
    await expect(restore(out, data)).resolves.toMatchObject({ files: 3 });
  });

  const manifestFor = (
    files: Array<{ path: string; content: Buffer }>,
    override?: (m: BackupManifest) => void,
  ): Buffer => {
    const m: BackupManifest = {
      format: "duegate-backup",
      version: 1,
      createdAt: new Date(0).toISOString(),
      host: "t",
      dataDir: "/var/lib/duegate",
      consistency: "snapshot",
      files: files.map((f) => ({
        path: f.path,
        size: f.content.length,
        sha256: createHash("sha256").update(f.content).digest("hex"),
        mtimeMs: 0,
      })),
    };
    override?.(m);
    return Buffer.from(JSON.stringify(m));
  };
  const archive = (entries: Array<{ path: string; content: Buffer }>): Buffer =>
    gzipSync(Buffer.concat([...entries.flatMap((e) => tarEntry(e.path, e.content, 0)), TAR_END]));

  it("rejects a file whose checksum does not match, and leaves the data untouched", async () => {
    const good = { path: "outbox.json", content: Buffer.from('{"ok":true}') };
    const file = join(work, "bad.tar.gz");
    writeFileSync(
      file,
      archive([
        { path: "manifest.json", content: manifestFor([good]) },
        { path: "data/outbox.json", content: Buffer.from('{"ok":false}') },
      ]),
    );
    const before = readFileSync(join(data, "outbox.json"), "utf8");
    await expect(restore(file, data)).rejects.toThrow(/does not match its checksum/);
    expect(readFileSync(join(data, "outbox.json"), "utf8")).toBe(before);
    expect(readdirSync(data).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("rejects paths that leave the data directory, files missing from the archive and truncated archives", async () => {
    const evil = { path: "../evil", content: Buffer.from("x") };
    const f1 = join(work, "evil.tar.gz");
    writeFileSync(
      f1,
      archive([
        { path: "manifest.json", content: manifestFor([evil]) },
        { path: "data/../evil", content: evil.content },
      ]),
    );
    await expect(restore(f1, data)).rejects.toThrow(/unexpected entry/);
    expect(existsSync(join(work, "evil"))).toBe(false);

    const f2 = join(work, "missing.tar.gz");
    writeFileSync(
      f2,
      archive([{ path: "manifest.json", content: manifestFor([{ path: "ledger.json", content: Buffer.from("{}") }]) }]),
    );
    await expect(restore(f2, data)).rejects.toThrow(/missing from the archive: ledger.json/);

    const out = join(work, "b.tar.gz");
    await backup(data, out);
    const whole = execFileSync("gzip", ["-dc", out]);
    const f3 = join(work, "truncated.tar.gz");
    writeFileSync(f3, gzipSync(whole.subarray(0, 1024 + 100)));
    await expect(restore(f3, data)).rejects.toMatchObject({ code: ErrorCode.BackupInvalid });

    await expect(restore(join(work, "no-such.tar.gz"), data)).rejects.toMatchObject({ code: ErrorCode.BackupInvalid });
    const f4 = join(work, "not-duegate.tar.gz");
    writeFileSync(f4, archive([{ path: "etc/passwd", content: Buffer.from("root:x:0:0") }]));
    await expect(restore(f4, data)).rejects.toThrow(/unexpected entry etc\/passwd/);
    const f5 = join(work, "no-manifest.tar.gz");
    writeFileSync(f5, archive([{ path: "data/outbox.json", content: Buffer.from("{}") }]));
    await expect(restore(f5, data)).rejects.toThrow(/has no manifest.json/);
  });
});
