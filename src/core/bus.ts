/**
 * A typed event bus (Zigbee2MQTT lib/eventBus.ts): every subsystem emits domain events
 * here, and the adapters (MQTT publisher, webhooks, web panel live feed, metrics, audit)
 * listen. A listener that throws is logged and never breaks the emitter or other listeners.
 */
export type EventMap = Record<string, unknown>;

export type Listener<T> = (payload: T) => void | Promise<void>;

export interface BusError {
  event: string;
  owner: string;
  error: unknown;
}

export class EventBus<M extends EventMap> {
  private readonly listeners = new Map<keyof M, Array<{ owner: string; fn: Listener<never> }>>();
  private readonly anyListeners: Array<{
    owner: string;
    fn: (event: keyof M & string, payload: M[keyof M]) => void | Promise<void>;
  }> = [];

  constructor(private readonly onListenerError: (e: BusError) => void = () => {}) {}

  on<K extends keyof M & string>(event: K, owner: string, fn: Listener<M[K]>): void {
    const list = this.listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Listener<never> });
    this.listeners.set(event, list);
  }

  /** Every event, in emit order (bridge publisher, webhooks, live feed). */
  onAny(owner: string, fn: (event: keyof M & string, payload: M[keyof M]) => void | Promise<void>): void {
    this.anyListeners.push({ owner, fn });
  }

  removeAll(owner: string): void {
    for (const [k, list] of this.listeners)
      this.listeners.set(
        k,
        list.filter((l) => l.owner !== owner),
      );
    for (let i = this.anyListeners.length - 1; i >= 0; i--)
      if (this.anyListeners[i]!.owner === owner) this.anyListeners.splice(i, 1);
  }

  emit<K extends keyof M & string>(event: K, payload: M[K]): void {
    for (const l of this.listeners.get(event) ?? []) this.call(event, l.owner, () => (l.fn as Listener<M[K]>)(payload));
    for (const l of this.anyListeners) this.call(event, l.owner, () => l.fn(event, payload as M[keyof M]));
  }

  private call(event: string, owner: string, fn: () => void | Promise<void>): void {
    try {
      const r = fn();
      if (r && typeof (r as Promise<void>).catch === "function")
        (r as Promise<void>).catch((error: unknown) => this.onListenerError({ event, owner, error }));
    } catch (error) {
      this.onListenerError({ event, owner, error });
    }
  }
}
