/**
 * Why a modem port could not be opened, in the words a technician acts on: the path that
 * failed and the hint that fits this failure (no such device, permission, held by another
 * program, not a serial device). node-serialport's native binding reports the errno in the
 * message ("Error: Permission denied, cannot open /dev/ttyUSB2", "EACCES: ..."), not always
 * as a code, so both are read.
 */
import { HINTS } from "../modem/driver/diagnose.js";

export type PortFailureKind = "missing" | "permission" | "busy" | "not-serial" | "other";

export interface PortFailure {
  kind: PortFailureKind;
  /** Names the path and what happened to it. */
  detail: string;
  hint: string;
}

const PATTERNS: Array<{ kind: PortFailureKind; code: RegExp; text: string }> = [
  { kind: "missing", code: /^ENOENT$|^ENODEV$|^ENXIO$/, text: "no such file or device" },
  { kind: "permission", code: /^EACCES$|^EPERM$/, text: "permission denied" },
  { kind: "busy", code: /^EBUSY$|^EAGAIN$/, text: "held by another program" },
  { kind: "not-serial", code: /^ENOTTY$|^EINVAL$/, text: "not a serial device" },
];

const MESSAGE: Array<{ kind: PortFailureKind; re: RegExp }> = [
  { kind: "missing", re: /ENOENT|ENODEV|ENXIO|no such file|no such device/i },
  { kind: "permission", re: /EACCES|EPERM|permission denied|operation not permitted/i },
  { kind: "busy", re: /EBUSY|EAGAIN|resource busy|cannot lock|resource temporarily unavailable/i },
  { kind: "not-serial", re: /ENOTTY|inappropriate ioctl|not a typewriter|invalid argument/i },
];

const HINT: Record<PortFailureKind, string> = {
  missing: HINTS.portMissing,
  permission: HINTS.portPermission,
  busy: HINTS.portBusy,
  "not-serial": HINTS.notSerial,
  other: HINTS.portOther,
};

/** The errno code of an error or of any error in its cause chain. */
function codesOf(e: unknown): string[] {
  const codes: string[] = [];
  for (let x: unknown = e, depth = 0; x instanceof Error && depth < 5; x = x.cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
  }
  return codes;
}

function messagesOf(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, depth = 0; depth < 5 && x !== undefined; depth++) {
    parts.push(x instanceof Error ? x.message : String(x));
    x = x instanceof Error ? x.cause : undefined;
  }
  return parts.join(" | ");
}

export function portFailure(path: string, e: unknown): PortFailure {
  const codes = codesOf(e);
  const text = messagesOf(e);
  const kind =
    PATTERNS.find((p) => codes.some((c) => p.code.test(c)))?.kind ??
    MESSAGE.find((m) => m.re.test(text))?.kind ??
    "other";
  const what = PATTERNS.find((p) => p.kind === kind)?.text ?? "could not be opened";
  const raw = e instanceof Error ? e.message : String(e);
  return { kind, detail: `${path}: ${what} (${raw})`, hint: HINT[kind] };
}
