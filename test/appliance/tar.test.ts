import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { TAR_END, readTar, tarEntry, tarHeader } from "../../src/system/tar.js";

let work: string;
beforeEach(() => (work = mkdtempSync(join(tmpdir(), "duegate-tar-"))));
afterEach(() => rmSync(work, { recursive: true, force: true }));

const longPath = `data/${"history-of-a-rather-long-name/".repeat(4)}messages-2026-11-23.jsonl`;

describe("ustar writer and reader", () => {
  it("writes archives GNU tar extracts, including paths over 100 bytes", () => {
    const archive = Buffer.concat([
      ...tarEntry("a.txt", Buffer.from("hello"), 0),
      ...tarEntry(longPath, Buffer.alloc(1500, 7), 1_700_000_000_000),
      TAR_END,
    ]);
    writeFileSync(join(work, "x.tar"), archive);
    expect(
      execFileSync("tar", ["-tf", join(work, "x.tar")], { encoding: "utf8" })
        .trim()
        .split("\n"),
    ).toEqual(["a.txt", longPath]);
    mkdirSync(join(work, "out"));
    execFileSync("tar", ["-xf", join(work, "x.tar"), "-C", join(work, "out")]);
    expect(readFileSync(join(work, "out", longPath))).toEqual(Buffer.alloc(1500, 7));
  });

  it("reads back what it wrote, whatever the chunking", async () => {
    const files = [
      { path: "a.txt", content: Buffer.from("hello") },
      { path: longPath, content: Buffer.alloc(70_001, 3) },
      { path: "empty", content: Buffer.alloc(0) },
    ];
    const archive = Buffer.concat([...files.flatMap((f) => tarEntry(f.path, f.content, 0)), TAR_END]);
    for (const size of [7, 511, 512, 4096, archive.length]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < archive.length; i += size) chunks.push(archive.subarray(i, i + size));
      const got: Array<{ path: string; content: Buffer }> = [];
      for await (const e of readTar(Readable.from(chunks))) got.push({ path: e.path, content: e.content });
      expect(got).toEqual(files);
    }
  });

  it("reads an archive GNU tar wrote", async () => {
    mkdirSync(join(work, "src/sub"), { recursive: true });
    writeFileSync(join(work, "src/sub/f.json"), '{"a":1}');
    const archive = execFileSync("tar", ["--format=ustar", "-cf", "-", "-C", join(work, "src"), "sub/f.json"]);
    const got: string[] = [];
    for await (const e of readTar(Readable.from([archive]))) got.push(`${e.type}:${e.path}:${e.content.toString()}`);
    expect(got).toEqual(['file:sub/f.json:{"a":1}']);
  });

  it("rejects a damaged header and a truncated archive", async () => {
    const header = tarHeader("a.txt", 5, 0);
    header[0] = 0x62; // name changed, checksum not
    const damaged = Buffer.concat([header, Buffer.alloc(512), TAR_END]);
    await expect(async () => {
      for await (const _ of readTar(Readable.from([damaged]))) void _;
    }).rejects.toThrow(/checksum/);
    const truncated = Buffer.concat(tarEntry("a.txt", Buffer.alloc(2000), 0)).subarray(0, 1000);
    await expect(async () => {
      for await (const _ of readTar(Readable.from([truncated]))) void _;
    }).rejects.toThrow(/truncated/);
  });
});

describe("scripts", () => {
  it("parse with bash -n", () => {
    for (const s of ["scripts/install.sh", "scripts/uninstall.sh"])
      execFileSync("bash", ["-n", join(import.meta.dirname, "..", "..", s)]);
  });
});
