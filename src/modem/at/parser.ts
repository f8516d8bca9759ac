import type { AtFrame } from "./frames.js";

/** Finals that end a command unsuccessfully (V.250 result codes). */
const ERROR_FINALS = new Set([
  "ERROR",
  "NO CARRIER",
  "NO DIALTONE",
  "BUSY",
  "NO ANSWER",
  "COMMAND NOT SUPPORT",
  "TOO MANY PARAMETERS",
]);

/**
 * Bytes → AtFrame. Lines end in CR, LF or both; empty lines are skipped. The "> "
 * prompt is emitted as soon as it is alone in the buffer, because it never gets a line end
 * (readline alone would wait for ever, serialport-gsm #82-style stalls). A partial line that
 * stays quiet for `flushMs` is flushed by `flush()`: a lone ">" becomes a prompt (modems
 * that omit the space), anything else is noise. Never throws.
 */
export class AtParser {
  private buffer = "";

  constructor(
    private readonly emit: (frame: AtFrame) => void,
    /** compat flag promptWithoutSpace: a lone ">" is the prompt at once, without waiting for the flush. */
    private readonly opts: { bareGreaterIsPrompt?: boolean } = {},
  ) {}

  /** True when bytes are waiting for a line end (the channel arms the flush timer). */
  get pending(): boolean {
    return this.buffer.length > 0;
  }

  push(chunk: Uint8Array): void {
    // latin1 keeps one char per byte, so binary noise cannot break the line splitting.
    this.buffer += Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString("latin1");
    for (;;) {
      const trimmed = this.buffer.replace(/^[\r\n]+/, "");
      if (trimmed !== this.buffer) this.buffer = trimmed;
      if (this.buffer.startsWith("> ") || (this.opts.bareGreaterIsPrompt && this.buffer === ">")) {
        // The prompt; whatever follows it is parsed as usual.
        this.buffer = this.buffer.slice(2);
        this.emit({ kind: "prompt" });
        continue;
      }
      const end = this.buffer.search(/[\r\n]/);
      if (end < 0) break;
      const line = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 1);
      this.line(line);
    }
    // Unbounded garbage without line ends must not grow memory.
    if (this.buffer.length > 4096) this.flush();
  }

  /** Called after a quiet gap with bytes still pending. */
  flush(): void {
    const rest = this.buffer;
    this.buffer = "";
    if (rest.trim() === ">") this.emit({ kind: "prompt" });
    else if (rest.length > 0) this.emit({ kind: "noise", text: rest });
  }

  reset(): void {
    this.buffer = "";
  }

  private line(raw: string): void {
    const text = raw.trim();
    if (text.length === 0) return;
    // Printable ASCII only; anything else in a line is corruption (wrong baud rate, noise).
    if (/[^\x20-\x7e\t]/.test(text)) {
      this.emit({ kind: "noise", text });
      return;
    }
    if (text === "OK") return this.emit({ kind: "final", ok: true, text });
    if (ERROR_FINALS.has(text)) return this.emit({ kind: "final", ok: false, text });
    const cms = /^\+CMS ERROR:\s*(.*)$/.exec(text);
    if (cms) {
      const code = Number.parseInt(cms[1]!, 10);
      return this.emit({ kind: "cms-error", code: Number.isNaN(code) ? 500 : code, text });
    }
    const cme = /^\+CME ERROR:\s*(.*)$/.exec(text);
    if (cme) {
      const code = Number.parseInt(cme[1]!, 10);
      return this.emit({ kind: "cme-error", code: Number.isNaN(code) ? undefined : code, text: cme[1]! });
    }
    this.emit({ kind: "line", text });
  }
}
