/**
 * Number-level consent: the suppression list's records. A number is suppressed by STOP (from
 * any sender, on file or not), by staff in the panel, by the API or MQTT, or by an import; it
 * is lifted by START from that same number or by staff. Every change is kept in the record,
 * so the evidence export can say who stopped the texts, when, why and through what.
 */
import type { E164, Millis } from "../core/types.js";
import type { ConsentChangedEvent } from "../api/events.js";

/**
 * Who or what changed a number's consent (the wire format is the consent.changed event's):
 * sms: STOP or START texted by the number itself, inboundId the SMS that said it; panel: a
 * person in the web panel; api: a machine client over HTTP or MQTT (API key or client name);
 * import: a CSV import that named the number as opted out.
 */
export type ConsentSource = ConsentChangedEvent["source"];

export interface SuppressionChange {
  action: "added" | "removed";
  at: Millis;
  source: ConsentSource;
  reason?: string;
}

/** A change with the number it was made for. */
export interface NumberConsentChange extends SuppressionChange {
  number: E164;
}

/** One number's consent record: kept after a removal too (its changes are evidence). */
export interface SuppressionRecord {
  number: E164;
  suppressed: boolean;
  /** When the current suppression began (absent while not suppressed). */
  since?: Millis;
  /** The change that suppressed it (absent while not suppressed). */
  source?: ConsentSource;
  reason?: string;
  /** Every change, oldest first. */
  changes: SuppressionChange[];
}

/** The persisted document (src/store RecordDocument; one record per number). */
export interface SuppressionDocument {
  schema: 1;
  numbers: Record<string, SuppressionRecord>;
}

/** What add/remove answer: the record after the change, and whether anything changed. */
export interface SuppressionResult {
  record: SuppressionRecord;
  changed: boolean;
}

/** One line for staff and logs: "STOP by SMS in_ab12", "panel user anna". */
export function describeSource(s: ConsentSource): string {
  switch (s.kind) {
    case "sms":
      return `${s.keyword.toUpperCase()} by SMS ${s.inboundId}`;
    case "panel":
      return `panel user ${s.user}`;
    case "api":
      return `API (${s.via}) ${s.by}`;
    case "import":
      return `import by ${s.by}`;
  }
}
