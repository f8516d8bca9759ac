/** Runs tasks one at a time in arrival order: inbound state changes never interleave. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }

  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
