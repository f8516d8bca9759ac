/**
 * Bytes the store layer writes to the card, counted where they are written (the atomic
 * file adapter and the history appender). The outbox benchmark reads these to prove that
 * bytes per SMS stay small and do not grow with the ledger (docs/architecture.md, Storage on an SD card).
 */
export interface StoreIoStats {
  bytesWritten: number;
  fileWrites: number;
  appends: number;
  fsyncs: number;
}

const stats: StoreIoStats = { bytesWritten: 0, fileWrites: 0, appends: 0, fsyncs: 0 };

export function storeIoStats(): Readonly<StoreIoStats> {
  return { ...stats };
}

export function resetStoreIoStats(): void {
  stats.bytesWritten = 0;
  stats.fileWrites = 0;
  stats.appends = 0;
  stats.fsyncs = 0;
}

/** Internal: called by the writers in this folder only. */
export function countWrite(kind: "file" | "append" | "sync", bytes: number, fsyncs: number): void {
  stats.bytesWritten += bytes;
  stats.fsyncs += fsyncs;
  if (kind === "file") stats.fileWrites++;
  else if (kind === "append") stats.appends++;
}
