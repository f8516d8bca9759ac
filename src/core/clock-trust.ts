/**
 * Whether the wall clock can be trusted (NTP, the modem's network time): the port the dunning
 * engine waits on before it sends anything dated; src/system/clock-trust.ts implements it.
 */
export type ClockSource = "config" | "ntp" | "modem" | "none";

export interface ClockTrustStatus {
  trusted: boolean;
  source: ClockSource;
  /** Why, for the status page: "systemd-timesyncd synchronised", "modem time differs by 3600 s". */
  detail: string;
  checkedAt: number;
  /** Modem network time minus system time, ms, when it was read. */
  offsetMs?: number;
}

export interface ClockTrust {
  status(): ClockTrustStatus;
  check(): Promise<ClockTrustStatus>;
  /** Called once when the clock becomes trusted (at once if it already is). */
  onTrusted(fn: () => void): void;
  start(): Promise<void>;
  stop(): void;
}
