import { resolve } from "node:path";
import type { Logger } from "../core/log.js";
import { AtomicJsonFile } from "../store/atomic-file.js";

interface Played {
  /** Ids of the scripted debtor steps already played into this data directory. */
  steps: string[];
}

/**
 * What the demo's simulated debtors have already said, kept in the data directory
 * (demo-script.json), so that a restarted demo does not put the same texts in the inbox again.
 * A step is remembered as soon as it has played: stopped halfway, the next run plays the rest.
 */
export class ScriptMemory {
  private readonly played: Set<string>;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly file: AtomicJsonFile<Played>,
    steps: readonly string[],
  ) {
    this.played = new Set(steps);
  }

  static async open(dataDir: string, logger: Logger): Promise<ScriptMemory> {
    const file = new AtomicJsonFile<Played>(resolve(dataDir, "demo-script.json"), logger);
    const data = await file.read();
    return new ScriptMemory(
      file,
      Array.isArray(data?.steps) ? data.steps.filter((s): s is string => typeof s === "string") : [],
    );
  }

  get path(): string {
    return this.file.path;
  }

  has(step: string): boolean {
    return this.played.has(step);
  }

  get size(): number {
    return this.played.size;
  }

  /** Remembers a step; writes are chained so that two steps close together both land. */
  remember(step: string): Promise<void> {
    this.played.add(step);
    const snapshot: Played = { steps: [...this.played] };
    this.writing = this.writing.then(() => this.file.write(snapshot));
    return this.writing;
  }
}
