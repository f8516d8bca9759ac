/**
 * The `modems:` list edited modem by modem, as the panel's Modem page and the REST API do it
 * (docs/modems.md, "Pool: from the panel"): add, replace or remove one entry. The whole list
 * then goes through the panel's settings (src/compose/live-settings.ts): checked by the same
 * schema as the config file, saved to <dataDir>/settings.yaml and put in force by the pool's hot
 * plug, which says what it started, stopped or restarted, or why a restart is needed.
 *
 * A PIN is write-only: an entry is shown with `pinSet`, and an edit that leaves `pin` out keeps
 * the PIN the modem has.
 */
import type { Static } from "@sinclair/typebox";
import type { Config } from "../config/schema.js";
import type { FieldProblem } from "../config/overlay.js";
import type { PoolModem } from "../config/sections/modem.js";

export type PoolModemEntry = Static<typeof PoolModem>;

/** One modem as configured, without its PIN. */
export type ModemEntryView = Omit<PoolModemEntry, "pin"> & { pinSet: boolean };

/**
 * What the pool's hot plug did with a new list (src/modem/pool/hot-plug.ts PoolChanges), or,
 * when the running pool could not take it, why it waits for the next start.
 */
export interface PoolChangeSummary {
  added: string[];
  removed: string[];
  replaced: string[];
  restartRequired?: string;
}

export interface PoolEntriesView {
  /** "list": a `modems:` list is in force; "single": the one `modem:` section, shown as one entry. */
  source: "list" | "single";
  entries: ModemEntryView[];
}

export type PoolEntriesResult =
  | { ok: true; changes: PoolChangeSummary; view: PoolEntriesView }
  | { ok: false; status: 400 | 404 | 409; message: string; problems: FieldProblem[] };

export interface PoolEntriesDeps {
  /** The configuration in force. */
  config(): Config;
  /** The panel's settings: validates, saves and applies (src/compose/live-settings.ts). */
  settings: {
    update(
      change: Record<string, unknown>,
      by: string,
    ): Promise<{ ok: true; changed: string[] } | { ok: false; problems: FieldProblem[] }>;
  };
  /** The id the single `modem:` section's modem has in the pool (src/modem/pool/members.ts). */
  singleModemId: string;
  /** The modem profiles this appliance has (firmware-config/profiles). */
  profiles(): readonly string[];
}

const NOTHING: PoolChangeSummary = { added: [], removed: [], replaced: [] };

export class PoolEntries {
  private changing: Promise<unknown> = Promise.resolve();
  /** What the pool did with the list this change saved, told by applied() during settings.update. */
  private lastChanges: PoolChangeSummary | undefined;

  constructor(private readonly d: PoolEntriesDeps) {}

  view(): PoolEntriesView {
    const config = this.d.config();
    return { source: config.modems.length > 0 ? "list" : "single", entries: this.entries(config).map(shown) };
  }

  /** One modem as configured, or undefined. */
  entry(id: string): ModemEntryView | undefined {
    const e = this.entries(this.d.config()).find((x) => x.id === id);
    return e ? shown(e) : undefined;
  }

  add(input: Record<string, unknown>, by: string): Promise<PoolEntriesResult> {
    return this.serial(async () => {
      const list = this.entries(this.d.config());
      if (typeof input.id === "string" && list.some((x) => x.id === input.id))
        return refused(409, "id", `there is a modem "${input.id}" already; choose another id`);
      return this.save([...list, { ...input } as PoolModemEntry], list.length, by);
    });
  }

  replace(id: string, input: Record<string, unknown>, by: string): Promise<PoolEntriesResult> {
    return this.serial(async () => {
      const list = this.entries(this.d.config());
      const i = list.findIndex((x) => x.id === id);
      if (i < 0) return this.unknown(id, list);
      if (input.id !== undefined && input.id !== id)
        return refused(
          400,
          "id",
          `the id of a modem cannot change (it is on every message it sent); remove ${id} and add a new one`,
        );
      // pinSet is read-only: an entry read with GET may be sent back as it is.
      const { pinSet: _pinSet, ...fields } = input;
      const entry: Record<string, unknown> = { ...fields, id };
      // Write-only: a PIN left out stays as it is; an empty one is taken away.
      if (entry.pin === undefined && list[i]!.pin !== undefined) entry.pin = list[i]!.pin;
      if (entry.pin === "") delete entry.pin;
      const next = [...list];
      next[i] = entry as PoolModemEntry;
      return this.save(next, i, by);
    });
  }

  remove(id: string, by: string): Promise<PoolEntriesResult> {
    return this.serial(async () => {
      const list = this.entries(this.d.config());
      const i = list.findIndex((x) => x.id === id);
      if (i < 0) return this.unknown(id, list);
      if (list.length === 1)
        return refused(409, "id", `${id} is the only modem: the appliance needs one to send; add another modem first`);
      return this.save(
        list.filter((x) => x.id !== id),
        -1,
        by,
      );
    });
  }

  /** The profile names a modem may have, for the form's choice. */
  profiles(): readonly string[] {
    return this.d.profiles();
  }

  /** The pool's answer to a list saved by one of the changes above (a settings target calls it). */
  applied(changes: PoolChangeSummary): void {
    this.lastChanges = changes;
  }

  /** The list as entries: the `modems:` list, or the single modem as the first entry of one. */
  private entries(config: Config): PoolModemEntry[] {
    if (config.modems.length > 0) return structuredClone(config.modems) as PoolModemEntry[];
    // Its other settings (profile, PIN, SMS centre) come from `modem:` either way, as every entry's do.
    return [{ id: this.d.singleModemId, port: config.modem.port, limits: {}, routes: [] }];
  }

  private async save(list: PoolModemEntry[], index: number, by: string): Promise<PoolEntriesResult> {
    // A profile the appliance lacks would stop the modem's driver at its start: refused before it is saved.
    const unknownProfile = profileRefusal(list[index]?.profile, this.d.profiles());
    if (unknownProfile) return refused(400, "profile", unknownProfile);
    this.lastChanges = undefined;
    const result = await this.d.settings.update({ modems: list }, by);
    if (!result.ok) {
      const problems = result.problems.map((p) => ofEntry(p, index));
      return { ok: false, status: 400, message: problems[0]?.message ?? "the modem is invalid", problems };
    }
    const changes = this.lastChanges ?? NOTHING;
    this.lastChanges = undefined;
    return { ok: true, changes, view: this.view() };
  }

  private unknown(id: string, list: PoolModemEntry[]): PoolEntriesResult {
    return refused(404, "id", `no modem "${id}"; the modems are ${list.map((x) => x.id).join(", ")}`);
  }

  /** One change at a time: each edits the list the one before left. */
  private serial(run: () => Promise<PoolEntriesResult>): Promise<PoolEntriesResult> {
    const next = this.changing.then(run);
    this.changing = next.catch(() => undefined);
    return next;
  }
}

/** Why a modem cannot have this profile, or undefined when it may (the profiles are not known: the driver says). */
export function profileRefusal(profile: unknown, known: readonly string[]): string | undefined {
  if (typeof profile !== "string" || known.length === 0 || known.includes(profile)) return undefined;
  return `Profile: ${JSON.stringify(profile)} is not a modem profile of this appliance; it must be one of: ${known.join(", ")}.`;
}

function shown(e: PoolModemEntry): ModemEntryView {
  const { pin, ...rest } = e;
  return { ...rest, pinSet: Boolean(pin) };
}

function refused(status: 400 | 404 | 409, field: string, message: string): PoolEntriesResult {
  return { ok: false, status, message, problems: [{ field, message }] };
}

/**
 * A problem of the saved list as the form of one modem reads it: "modems.2.limits.partsPerDay"
 * is "limits.partsPerDay" of the entry at index 2; a problem of another entry keeps its path.
 */
function ofEntry(p: FieldProblem, index: number): FieldProblem {
  const prefix = `modems.${index}`;
  if (p.field === prefix) return { ...p, field: "" };
  if (p.field.startsWith(`${prefix}.`)) return { ...p, field: p.field.slice(prefix.length + 1) };
  return p;
}
