/** Something the composition root starts and stops in order (Zigbee2MQTT extensions). */
export interface Service {
  readonly name: string;
  start(): Promise<void>;
  /** Stop taking work, finish or time out what is in flight, flush. Idempotent. */
  stop(): Promise<void>;
}
