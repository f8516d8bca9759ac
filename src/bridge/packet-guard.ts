/**
 * A bound on the size of each MQTT packet a client sends. mqtt-packet (under aedes) has no
 * such limit: it collects a packet's bytes until its announced length has arrived, so one
 * PUBLISH announcing 256 MB would be held whole in memory. This reads only the fixed header
 * (MQTT 3.1.1 section 2.2: one type byte, then the remaining length in 1-4 bytes of 7 bits)
 * of each packet as the bytes pass, skips the bodies, and reports a packet over the limit as
 * soon as its header is seen, so the connection is closed after at most one socket chunk.
 */
import type { Duplex } from "node:stream";

export class PacketSizeGuard {
  private state: "type" | "length" | "body" = "type";
  private length = 0;
  private multiplier = 1;
  private remaining = 0;

  constructor(private readonly maxBytes: number) {}

  /** Feeds the next bytes; returns the announced length when a packet is over the limit or malformed, else undefined. */
  feed(chunk: Buffer): number | undefined {
    let i = 0;
    while (i < chunk.length) {
      if (this.state === "body") {
        const take = Math.min(this.remaining, chunk.length - i);
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.state = "type";
        continue;
      }
      const byte = chunk[i++]!;
      if (this.state === "type") {
        this.state = "length";
        this.length = 0;
        this.multiplier = 1;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      if (byte & 0x80) {
        // A fifth length byte is malformed (the largest length takes four).
        if (this.multiplier > 128 ** 3) return Number.POSITIVE_INFINITY;
        continue;
      }
      if (this.length > this.maxBytes) return this.length;
      this.remaining = this.length;
      this.state = this.remaining > 0 ? "body" : "type";
    }
    return undefined;
  }
}

/**
 * Watches what the broker reads from `socket` and destroys the socket when a packet is over
 * `maxBytes`. Attach after aedes.handle(socket): with a 'readable' listener present, a 'data'
 * listener sees each chunk as the broker reads it and does not change the flow.
 */
export function limitPacketSize(socket: Duplex, maxBytes: number, onRefused: (announced: number) => void): void {
  const guard = new PacketSizeGuard(maxBytes);
  socket.on("data", (chunk: Buffer) => {
    const over = guard.feed(chunk);
    if (over === undefined) return;
    onRefused(over);
    socket.destroy();
  });
}

/** The limit when not configured: room for a full batch of records at 2 KiB each, plus the topic and framing. */
export function packetLimitFor(maxBatch: number, configured: number): number {
  return configured > 0 ? configured : maxBatch * 2048 + 64 * 1024;
}
