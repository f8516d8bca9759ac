/** One SMS slot in the simulated modem's memory (TS 27.005 3.1 <stat>). */
export interface SimSlot {
  stat: 0 | 1 | 2 | 3;
  pdu: string;
}

/**
 * The simulated SIM/ME memories ("SM", "ME", "SR"), each with a size limit. Indexes start
 * at 1 on most SIMs; the simulator does the same so that index 0 bugs show up.
 */
export class SimStorage {
  private readonly memories = new Map<string, Array<SimSlot | undefined>>();

  constructor(private readonly sizes: Record<string, number>) {}

  has(mem: string): boolean {
    return mem in this.sizes;
  }

  private slots(mem: string): Array<SimSlot | undefined> {
    let s = this.memories.get(mem);
    if (!s) {
      s = new Array<SimSlot | undefined>(this.sizes[mem] ?? 0).fill(undefined);
      this.memories.set(mem, s);
    }
    return s;
  }

  total(mem: string): number {
    return this.sizes[mem] ?? 0;
  }

  used(mem: string): number {
    return this.slots(mem).filter(Boolean).length;
  }

  /** Stores; returns the 1-based index, or undefined when the memory is full. */
  store(mem: string, slot: SimSlot): number | undefined {
    const s = this.slots(mem);
    const free = s.findIndex((x) => x === undefined);
    if (free < 0) return undefined;
    s[free] = slot;
    return free + 1;
  }

  read(mem: string, index: number): SimSlot | undefined {
    return this.slots(mem)[index - 1];
  }

  /** False when the index is outside the memory (+CMS ERROR 321). */
  inRange(mem: string, index: number): boolean {
    return index >= 1 && index <= this.total(mem);
  }

  delete(mem: string, index: number): void {
    const s = this.slots(mem);
    if (index >= 1 && index <= s.length) s[index - 1] = undefined;
  }

  list(mem: string): Array<{ index: number; slot: SimSlot }> {
    return this.slots(mem).flatMap((slot, i) => (slot ? [{ index: i + 1, slot }] : []));
  }
}
