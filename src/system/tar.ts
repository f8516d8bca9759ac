/**
 * The smallest ustar (POSIX.1-1988) writer and reader duegate's backups need: regular
 * files only, names up to 255 bytes, sizes up to 8 GiB. The archives open with GNU tar
 * (`tar -tzf backup.tar.gz`), so a technician can inspect one without duegate.
 * Why not a `tar` child process: the manifest's checksums must be of exactly the bytes
 * archived, and each file must be one read of the copy the store renamed in (backup.ts).
 */
import { DuegateError, ErrorCode } from "../core/errors.js";

const BLOCK = 512;

function writeString(buf: Buffer, offset: number, length: number, value: string): void {
  const bytes = Buffer.from(value, "utf8");
  if (bytes.length > length)
    throw new DuegateError(ErrorCode.BackupInvalid, `tar: "${value}" does not fit in ${length} bytes`, { value });
  bytes.copy(buf, offset);
}

function writeOctal(buf: Buffer, offset: number, length: number, value: number): void {
  // length-1 octal digits, then NUL.
  writeString(
    buf,
    offset,
    length,
    `${Math.floor(value)
      .toString(8)
      .padStart(length - 1, "0")}\0`,
  );
}

function splitName(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: "" };
  for (let i = path.lastIndexOf("/"); i > 0; i = path.lastIndexOf("/", i - 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new DuegateError(ErrorCode.BackupInvalid, `tar: path too long for ustar: ${path}`, { path });
}

/** One header block for a regular file. */
export function tarHeader(path: string, size: number, mtimeMs: number, mode = 0o600): Buffer {
  const h = Buffer.alloc(BLOCK);
  const { name, prefix } = splitName(path);
  writeString(h, 0, 100, name);
  writeOctal(h, 100, 8, mode);
  writeOctal(h, 108, 8, 0);
  writeOctal(h, 116, 8, 0);
  writeOctal(h, 124, 12, size);
  writeOctal(h, 136, 12, Math.floor(mtimeMs / 1000));
  h.fill(0x20, 148, 156); // checksum field counts as spaces while summing
  h[156] = 0x30; // '0': regular file
  writeString(h, 257, 6, "ustar\0");
  writeString(h, 263, 2, "00");
  writeString(h, 265, 32, "duegate");
  writeString(h, 297, 32, "duegate");
  writeString(h, 345, 155, prefix);
  let sum = 0;
  for (const b of h) sum += b;
  writeString(h, 148, 8, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

/** Header, content and padding of one file. */
export function tarEntry(path: string, content: Buffer, mtimeMs: number): Buffer[] {
  const pad = (BLOCK - (content.length % BLOCK)) % BLOCK;
  return [tarHeader(path, content.length, mtimeMs), content, Buffer.alloc(pad)];
}

/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

export interface TarEntry {
  path: string;
  type: "file" | "directory" | "other";
  content: Buffer;
}

function readString(h: Buffer, offset: number, length: number): string {
  const end = h.indexOf(0, offset);
  return h.toString("utf8", offset, end >= 0 && end < offset + length ? end : offset + length);
}

function parseHeader(h: Buffer): { path: string; size: number; type: TarEntry["type"] } {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  const stored = parseInt(readString(h, 148, 8).trim(), 8);
  if (stored !== sum)
    throw new DuegateError(ErrorCode.BackupInvalid, "tar: header checksum mismatch (the archive is damaged)", {
      stored,
      computed: sum,
    });
  const name = readString(h, 0, 100);
  const prefix = readString(h, 345, 155);
  const size = parseInt(readString(h, 124, 12).trim() || "0", 8);
  if (!Number.isFinite(size) || size < 0)
    throw new DuegateError(ErrorCode.BackupInvalid, `tar: bad size in the header of ${name}`, { name });
  const flag = String.fromCharCode(h[156]!);
  const type = flag === "0" || flag === "\0" ? "file" : flag === "5" ? "directory" : "other";
  return { path: prefix ? `${prefix}/${name}` : name, size, type };
}

/** Bytes received and not yet parsed, kept as a list so a large entry is copied once. */
class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0; // index of the first unread chunk: shift() would make many small chunks quadratic
  length = 0;
  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const first = this.chunks[this.head]!;
      const used = Math.min(first.length, n - filled);
      first.copy(out, filled, 0, used);
      filled += used;
      if (used === first.length) this.head++;
      else this.chunks[this.head] = first.subarray(used);
    }
    if (this.head > 1024) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.length -= n;
    return out;
  }
}

/** Entries of a tar stream (already gunzipped), each with its whole content. */
export async function* readTar(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<TarEntry> {
  const queue = new ByteQueue();
  let pending: { path: string; size: number; type: TarEntry["type"] } | undefined;
  let ended = false;
  for await (const chunk of chunks) {
    if (ended) continue; // trailing zero blocks and padding
    queue.push(Buffer.from(chunk));
    for (;;) {
      if (!pending) {
        if (queue.length < BLOCK) break;
        const header = queue.take(BLOCK);
        if (header.every((b) => b === 0)) {
          ended = true;
          break;
        }
        pending = parseHeader(header);
      }
      const padded = Math.ceil(pending.size / BLOCK) * BLOCK;
      if (queue.length < padded) break;
      const content = queue.take(padded).subarray(0, pending.size);
      const entry = { path: pending.path, type: pending.type, content };
      pending = undefined;
      yield entry;
    }
  }
  if (pending)
    throw new DuegateError(ErrorCode.BackupInvalid, `tar: the archive ends inside ${pending.path} (truncated)`, {
      path: pending.path,
    });
  if (!ended) throw new DuegateError(ErrorCode.BackupInvalid, "tar: the archive has no end marker (truncated)", {});
}
