/**
 * The data directory holds every debtor's number and balance, the users' password hashes and
 * the key that seals session cookies (auth.json). Another local user who can read it can log
 * in as an admin, so the service creates it 0700 and refuses to start in one that group or
 * others can read, write or enter: a silent chmod would hide a mistake (a shared folder, a
 * wrong install) that may have leaked the files already.
 */
import { chmodSync, mkdirSync, statSync } from "node:fs";
import { DuegateError, ErrorCode } from "../core/errors.js";

export const DATA_DIR_MODE = 0o700;

/** The bits nobody but the owner may have on the data directory. */
const OPEN_BITS = 0o077;

export function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, "0");
}

/** Creates the data directory 0700 when missing; throws DataDirUnsafe naming the fix when it is open to others. */
export function prepareDataDir(dataDir: string): void {
  let created = false;
  try {
    statSync(dataDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    mkdirSync(dataDir, { recursive: true, mode: DATA_DIR_MODE });
    // mkdir's mode goes through the umask, which can only remove bits; chmod makes it exact.
    chmodSync(dataDir, DATA_DIR_MODE);
    created = true;
  }
  const st = statSync(dataDir);
  if (!st.isDirectory())
    throw new DuegateError(ErrorCode.DataDirUnsafe, `data directory ${dataDir} is not a directory (gateway.dataDir)`, {
      path: dataDir,
    });
  if (!created) assertPrivate(dataDir, st.mode);
}

function assertPrivate(dataDir: string, mode: number): void {
  if ((mode & OPEN_BITS) === 0) return;
  throw new DuegateError(
    ErrorCode.DataDirUnsafe,
    `data directory ${dataDir} has mode ${octal(mode)}: other users can ${describe(mode)} it, and it holds the users' password hashes and the session key (auth.json). ` +
      `Make it private with: chmod 700 ${shellQuote(dataDir)} (and chmod 600 the files in it), then start again`,
    { path: dataDir, mode: octal(mode) },
  );
}

function describe(mode: number): string {
  const what: string[] = [];
  if (mode & 0o044) what.push("read");
  if (mode & 0o022) what.push("write into");
  if (mode & 0o011 && what.length === 0) what.push("enter");
  return what.join(" and ");
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replace(/'/g, "'\\''")}'`;
}
