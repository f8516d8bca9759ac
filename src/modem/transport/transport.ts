/**
 * The transport seam (zwave-js ZWaveSerialBindingFactory, serialport
 * BindingInterface): bytes in, bytes out, and a promise that settles when the line goes away.
 * A serial device, a TCP socket (ser2net) and the in-process simulator all look like this, so
 * the AT channel and the driver never know which one they talk to. Reopening = calling the
 * factory again.
 *
 *   driver  ──AtCommand──▶  AtChannel  ──bytes──▶  Transport ─▶ serialport | net.Socket | ModemSimulator
 *           ◀──result/URC──            ◀──AtFrame── AtParser ◀──bytes──
 */
export type TransportEnd = "closed" | "unplugged";

export interface Transport {
  /** Where it is connected, for logs: "/dev/serial/by-id/usb-...", "tcp://10.0.0.5:4001", "sim". */
  readonly description: string;
  /** Bytes from the modem; one listener (the AT channel). */
  onData(listener: (chunk: Uint8Array) => void): void;
  write(bytes: Uint8Array): Promise<void>;
  /** Orderly close; `ended` then settles with "closed". Idempotent. */
  close(): Promise<void>;
  /** Settles once: "closed" after close(), "unplugged" when the device or peer went away. */
  readonly ended: Promise<TransportEnd>;
}

export type TransportFactory = () => Promise<Transport>;

/** A small helper shared by the transports: settle `ended` once. */
export class EndSignal {
  readonly promise: Promise<TransportEnd>;
  private resolveFn!: (end: TransportEnd) => void;
  private done = false;
  constructor() {
    this.promise = new Promise((r) => (this.resolveFn = r));
  }
  get settled(): boolean {
    return this.done;
  }
  settle(end: TransportEnd): void {
    if (this.done) return;
    this.done = true;
    this.resolveFn(end);
  }
}
