/**
 * What the outbox's active set holds on disk (outbox/active/, a record journal), read beside a
 * running or killed outbox without changing a file: the crash tests' view of what survived.
 */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { silentLogger } from "../../src/core/log.js";
import { readRecordJournal } from "../../src/store/index.js";
import type { OutboxMessage } from "../../src/outbox/types.js";

export const activeDir = (dataDir: string): string => join(dataDir, "outbox", "active");

export async function activeOnDisk(dataDir: string): Promise<Map<string, OutboxMessage>> {
  return readRecordJournal<OutboxMessage>(activeDir(dataDir), silentLogger());
}

export async function activeRecordOnDisk(dataDir: string, id: string): Promise<OutboxMessage | undefined> {
  return (await activeOnDisk(dataDir)).get(id);
}

/**
 * Puts a record into the active set as a crash could have left it: written as a record file,
 * which the next open takes into the journal over its value (src/store/record-journal.ts).
 */
export async function leaveActiveRecord(dataDir: string, record: OutboxMessage): Promise<void> {
  await writeFile(join(activeDir(dataDir), `${record.id}.json`), JSON.stringify(record));
}
