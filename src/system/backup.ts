/**
 * `duegate backup` and `duegate restore`: the data directory as one .tar.gz with a manifest
 * (size and sha256 of every file), taken while the service runs.
 *
 * Consistency: the store replaces a file by writing `<file>.tmp` and renaming it in, so one
 * open() gets one complete version, and reading through that descriptor gets all of it even
 * if a newer version is renamed in meanwhile. History files (.jsonl) are only appended to;
 * a torn last line is cut. After reading every file once, each is looked at again: if none
 * changed, the set is a snapshot; if the service wrote meanwhile, the read is repeated (up to
 * `attempts` times) and the manifest says "per-file" if it never came out quiet.
 */
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { chown, lstat, mkdir, open, readdir, rename, rm, stat, type FileHandle } from "node:fs/promises";
import { hostname } from "node:os";
import { dirname, join, normalize, relative, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGunzip, createGzip } from "node:zlib";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import { lockHolder } from "./instance-lock.js";
import { TAR_END, readTar, tarEntry } from "./tar.js";

export const MANIFEST_NAME = "manifest.json";
const DATA_PREFIX = "data/";

export interface BackupManifest {
  format: "duegate-backup";
  version: 1;
  createdAt: string;
  host: string;
  dataDir: string;
  /** snapshot: no file changed while they were read; per-file: each file is whole, but the service wrote meanwhile. */
  consistency: "snapshot" | "per-file";
  files: Array<{ path: string; size: number; sha256: string; mtimeMs: number }>;
}

export interface BackupOptions {
  /** Reads of the whole directory before settling for per-file consistency. */
  attempts?: number;
  now?: () => number;
}

/** Not data: the lock, the store's scratch copies and our own restore leftovers. */
export function isBackedUp(rel: string): boolean {
  const base = rel.split("/").pop() ?? rel;
  if (base === "duegate.lock") return false;
  if (/\.(tmp|bak)$/.test(base) || /\.tmp[-.]/.test(base)) return false;
  if (/^\.(restore|pre-restore)-/.test(rel.split("/")[0] ?? "")) return false;
  return true;
}

async function listFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const abs = join(dir, e.name);
      const rel = relative(dataDir, abs).split(sep).join("/");
      if (!isBackedUp(rel)) continue;
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out.push(rel); // symlinks, sockets, fifos are not data
    }
  };
  await walk(dataDir);
  return out.sort();
}

interface ReadFile {
  path: string;
  content: Buffer;
  ino: number;
  mtimeMs: number;
  size: number;
}

async function readOnce(dataDir: string, rel: string): Promise<ReadFile | undefined> {
  let fh: FileHandle | undefined;
  try {
    fh = await open(join(dataDir, rel), "r");
    const st = await fh.stat();
    let content = await fh.readFile();
    // An append in progress may leave half a line; the lines before it are whole.
    if (rel.endsWith(".jsonl") && content.length && content[content.length - 1] !== 0x0a)
      content = content.subarray(0, content.lastIndexOf(0x0a) + 1);
    return { path: rel, content, ino: st.ino, mtimeMs: st.mtimeMs, size: st.size };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined; // removed between readdir and open
    throw e;
  } finally {
    await fh?.close();
  }
}

async function unchanged(dataDir: string, files: Array<Omit<ReadFile, "content">>): Promise<boolean> {
  const now = await listFiles(dataDir);
  if (now.length !== files.length || now.some((p, i) => p !== files[i]!.path)) return false;
  for (const f of files) {
    const st = await stat(join(dataDir, f.path)).catch(() => undefined);
    if (!st || st.ino !== f.ino || st.mtimeMs !== f.mtimeMs || st.size !== f.size) return false;
  }
  return true;
}

const sha256 = (b: Buffer): string => createHash("sha256").update(b).digest("hex");

/** Thrown inside an attempt when the service wrote meanwhile and another attempt is left. */
class NotQuiet extends Error {}

/**
 * Writes `outFile` (mode 0600: it holds personal data) atomically; returns its manifest.
 * Streams: each file is read, hashed and written before the next is read, so memory stays
 * at the largest single file however many years of history the directory holds. The
 * manifest is therefore the archive's last entry.
 */
export async function backup(dataDir: string, outFile: string, opts: BackupOptions = {}): Promise<BackupManifest> {
  const st = await stat(dataDir).catch(() => undefined);
  if (!st?.isDirectory())
    throw new DuegateError(ErrorCode.BackupInvalid, `backup: data directory ${dataDir} does not exist`, { dataDir });
  const attempts = Math.max(1, opts.attempts ?? 5);
  const tmp = `${outFile}.tmp-${process.pid}`;
  await mkdir(dirname(outFile), { recursive: true });
  for (let attempt = 1; ; attempt++) {
    let manifest: BackupManifest | undefined;
    const entries = async function* (): AsyncGenerator<Buffer> {
      const seen: Array<Omit<ReadFile, "content">> = [];
      const files: BackupManifest["files"] = [];
      for (const rel of await listFiles(dataDir)) {
        const f = await readOnce(dataDir, rel);
        if (!f) continue;
        seen.push({ path: f.path, ino: f.ino, mtimeMs: f.mtimeMs, size: f.size });
        files.push({ path: f.path, size: f.content.length, sha256: sha256(f.content), mtimeMs: Math.floor(f.mtimeMs) });
        yield* tarEntry(DATA_PREFIX + f.path, f.content, f.mtimeMs);
      }
      const quiet = await unchanged(dataDir, seen);
      if (!quiet && attempt < attempts) throw new NotQuiet();
      manifest = {
        format: "duegate-backup",
        version: 1,
        createdAt: new Date(opts.now?.() ?? Date.now()).toISOString(),
        host: hostname(),
        dataDir,
        consistency: quiet ? "snapshot" : "per-file",
        files,
      };
      yield* tarEntry(MANIFEST_NAME, Buffer.from(JSON.stringify(manifest, null, 2)), Date.parse(manifest.createdAt));
      yield TAR_END;
    };
    try {
      await pipeline(entries, createGzip({ level: 6 }), createWriteStream(tmp, { mode: 0o600 }));
      const fh = await open(tmp, "r+");
      await fh.sync();
      await fh.close();
      await rename(tmp, outFile);
      return manifest!;
    } catch (e) {
      await rm(tmp, { force: true });
      if (!(e instanceof NotQuiet)) throw e;
    }
    // The store coalesces writes (storage.flushIntervalMs); a short pause often finds a quiet moment.
    await new Promise((r) => setTimeout(r, 50 * attempt));
  }
}

export interface RestoreOptions {
  /** Restore although the lock names a live process (a pid reused by another program). */
  force?: boolean;
  now?: () => number;
}

export interface RestoreReport {
  files: number;
  bytes: number;
  createdAt: string;
  consistency: BackupManifest["consistency"];
  /** Where the data that was there before went (inside the data directory), if any. */
  previousDataDir?: string;
}

function safeRelative(path: string): string | undefined {
  if (!path.startsWith(DATA_PREFIX)) return undefined;
  const rel = path.slice(DATA_PREFIX.length);
  const norm = normalize(rel).split(sep).join("/");
  if (!rel || norm !== rel || norm.startsWith("../") || norm === ".." || norm.startsWith("/") || !isBackedUp(norm))
    return undefined;
  return norm;
}

function parseManifest(content: Buffer): BackupManifest {
  let m: BackupManifest;
  try {
    m = JSON.parse(content.toString("utf8")) as BackupManifest;
  } catch (e) {
    throw new DuegateError(ErrorCode.BackupInvalid, `restore: the manifest is not JSON (${errorMessage(e)})`, {});
  }
  if (m?.format !== "duegate-backup" || m.version !== 1 || !Array.isArray(m.files))
    throw new DuegateError(ErrorCode.BackupInvalid, "restore: not a duegate backup (manifest format/version)", {});
  return m;
}

/**
 * Replaces the contents of `dataDir` with the backup, after checking every file against the
 * manifest. The data that was there is moved to `<dataDir>/.pre-restore-<time>/`, not deleted.
 * Refuses while a live process holds the data directory's lock, unless `force`.
 */
export async function restore(inFile: string, dataDir: string, opts: RestoreOptions = {}): Promise<RestoreReport> {
  const holder = lockHolder(dataDir);
  if (holder !== undefined && !opts.force)
    throw new DuegateError(
      ErrorCode.RestoreRefused,
      `restore: process ${holder} holds ${join(dataDir, "duegate.lock")}; stop the service first (systemctl stop duegate), or pass --force if that process is not duegate`,
      { dataDir, pid: holder },
    );
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const stamp = new Date(opts.now?.() ?? Date.now()).toISOString().replace(/[:.]/g, "-");
  const staging = join(dataDir, `.restore-${stamp}`);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  let manifest: BackupManifest | undefined;
  const seen = new Set<string>();
  let bytes = 0;
  try {
    // pipe() does not forward errors: a missing or unreadable file must end the read, not hang it.
    const gunzip = createGunzip();
    createReadStream(inFile)
      .on("error", (e) => gunzip.destroy(e))
      .pipe(gunzip);
    // Data entries go to the staging directory with their checksum; the manifest (the last
    // entry; first in older archives) is checked against them once everything is read.
    const staged = new Map<string, { size: number; sha256: string }>();
    for await (const entry of readTar(gunzip)) {
      if (entry.path === MANIFEST_NAME) {
        if (manifest) throw new DuegateError(ErrorCode.BackupInvalid, `restore: ${inFile} has two manifests`, {});
        manifest = parseManifest(entry.content);
        continue;
      }
      if (entry.type === "directory") continue;
      const rel = safeRelative(entry.path);
      if (entry.type !== "file" || rel === undefined)
        throw new DuegateError(
          ErrorCode.BackupInvalid,
          `restore: unexpected entry ${entry.path} in the archive (is this a duegate backup?)`,
          { entry: entry.path },
        );
      if (staged.has(rel))
        throw new DuegateError(ErrorCode.BackupInvalid, `restore: ${rel} appears twice in the archive`, { path: rel });
      const target = join(staging, rel);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      const fh = await open(target, "wx", 0o600);
      try {
        await fh.writeFile(entry.content);
        await fh.sync();
      } finally {
        await fh.close();
      }
      staged.set(rel, { size: entry.content.length, sha256: sha256(entry.content) });
      bytes += entry.content.length;
    }
    if (!manifest)
      throw new DuegateError(
        ErrorCode.BackupInvalid,
        `restore: ${inFile} has no ${MANIFEST_NAME} (not a duegate backup, or truncated)`,
        {},
      );
    for (const [rel, got] of staged) {
      const expected = manifest.files.find((f) => f.path === rel);
      if (!expected)
        throw new DuegateError(ErrorCode.BackupInvalid, `restore: ${rel} is in the archive but not in the manifest`, {
          path: rel,
        });
      if (expected.size !== got.size || expected.sha256 !== got.sha256)
        throw new DuegateError(
          ErrorCode.BackupInvalid,
          `restore: ${rel} does not match its checksum in the manifest (the backup is damaged)`,
          { path: rel },
        );
      seen.add(rel);
    }
    const missing = manifest.files.filter((f) => !seen.has(f.path)).map((f) => f.path);
    if (missing.length)
      throw new DuegateError(
        ErrorCode.BackupInvalid,
        `restore: ${missing.length} file(s) of the manifest are missing from the archive: ${missing.slice(0, 5).join(", ")}`,
        { missing },
      );
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    if (e instanceof DuegateError) throw e;
    throw new DuegateError(
      ErrorCode.BackupInvalid,
      `restore: cannot read ${inFile}: ${errorMessage(e)}`,
      { file: inFile },
      { cause: e },
    );
  }

  // Everything checked: move the old data aside, then the restored data in (renames on one file system).
  const aside = join(dataDir, `.pre-restore-${stamp}`);
  let movedAside = false;
  for (const name of await readdir(dataDir)) {
    if (name === "duegate.lock" || name.startsWith(".restore-") || name.startsWith(".pre-restore-")) continue;
    if (!movedAside) await mkdir(aside, { recursive: true, mode: 0o700 });
    movedAside = true;
    await rename(join(dataDir, name), join(aside, name));
  }
  for (const name of await readdir(staging)) await rename(join(staging, name), join(dataDir, name));
  await rm(staging, { recursive: true, force: true });
  await syncDir(dataDir);
  // Run as root (sudo duegate restore), the files would be root's and the service could not write them.
  if (process.getuid?.() === 0) {
    const owner = await lstat(dataDir);
    for (const f of manifest.files) {
      const parts = f.path.split("/");
      for (let i = 1; i <= parts.length; i++) await chown(join(dataDir, ...parts.slice(0, i)), owner.uid, owner.gid);
    }
  }
  return {
    files: seen.size,
    bytes,
    createdAt: manifest.createdAt,
    consistency: manifest.consistency,
    previousDataDir: movedAside ? aside : undefined,
  };
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, "r");
  try {
    await fh.sync();
  } catch {
    /* some file systems cannot fsync a directory */
  } finally {
    await fh.close();
  }
}
