/**
 * What a person needs to know about a configuration key, written once beside its TypeBox type
 * (src/config/sections/*.ts) as the custom schema option "x-setting". The overlay (which keys
 * the panel may set), the masker (the Settings read, `duegate config`, the log), the live
 * reconfiguration (which changes wait for a restart), the Settings page and docs/configuration.md
 * all read these facts; nothing else lists them.
 */
import type { TSchema } from "@sinclair/typebox";

export const SETTING_FACTS = "x-setting";

export interface SettingFacts {
  /** What the Settings page calls the key, in English ("Messages per minute"). */
  label: string;
  /** One sentence of help under the field, in a person's words. */
  hint?: string;
  /** The unit of a number, plural ("minutes", "SMS parts"): "between 1 and 60 minutes". */
  unit?: string;
  /** What a valid text looks like when a pattern checks it ("a time like 08:00"). */
  format?: string;
  /** The words for each choice of a fixed set ({ starttls: "STARTTLS (port 587)" }). */
  choices?: Record<string, string>;
  /** An administrator may change it on the Settings page (saved in <dataDir>/settings.yaml). */
  editable?: boolean;
  /** A change takes effect only after the next start (editable keys; every other key needs one anyway). */
  restart?: boolean;
  /** Never shown, never logged: the panel says "set" or "not set", the log and `duegate config` hide it. */
  secret?: boolean;
  /**
   * Edited on its own page of the panel rather than among the Settings page's fields (the Modem
   * page edits the `modems:` list entry by entry); saved in the same overlay.
   */
  ownPage?: string;
}

/** The schema option that carries the facts: spread it into a TypeBox type's options. */
export function facts(f: SettingFacts): { [SETTING_FACTS]: SettingFacts } {
  return { [SETTING_FACTS]: f };
}

/** The facts a schema node carries, if any. */
export function factsOf(node: TSchema | undefined): SettingFacts | undefined {
  return (node as Record<string, unknown> | undefined)?.[SETTING_FACTS] as SettingFacts | undefined;
}
