/**
 * Every file in the data directory holds personal data or secrets (auth.json has the key that
 * seals session cookies), so it is readable by the service's user alone: files 0600, folders
 * 0700. The mode is given at creation and set again with chmod, because the mode passed to
 * open(2) and mkdir(2) only applies when the entry is created, and then only through the
 * umask; a file left 0644 by an older version becomes 0600 at its next write.
 */
import { chmod, mkdir, open, type FileHandle } from "node:fs/promises";

export const PRIVATE_FILE_MODE = 0o600;
export const PRIVATE_DIR_MODE = 0o700;

/** open(2) for writing ("w", "a", "wx"...) that leaves the file 0600 whatever the umask or its former mode. */
export async function openPrivate(path: string, flags: string): Promise<FileHandle> {
  const fh = await open(path, flags, PRIVATE_FILE_MODE);
  try {
    await fh.chmod(PRIVATE_FILE_MODE);
  } catch (e) {
    await fh.close();
    throw e;
  }
  return fh;
}

/**
 * A folder of the data directory, created 0700 (parents too). An existing folder is set to
 * 0700 as well; one the service does not own (EPERM) is left as it is: the start-up check of
 * the data directory (src/system/data-dir.ts) is where a wrong owner or mode is refused.
 */
export async function mkdirPrivate(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  // Once per folder and process: small documents are rewritten through it many times a day.
  if (madePrivate.has(dir)) return;
  await chmod(dir, PRIVATE_DIR_MODE).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== "EPERM") throw e;
  });
  madePrivate.add(dir);
}

const madePrivate = new Set<string>();
