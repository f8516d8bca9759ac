/**
 * Keeps the gateway's persistent session free of subscriptions it did not make. A client that
 * once connected to an external broker with the gateway's client id and subscribed to
 * `<base>/<id>/#` left that filter in the session (clean: false keeps it): from then on the
 * gateway receives its own events. MQTT has no way to list a session's subscriptions, so:
 *   - after a connect that found a session, the broad filters such a client would use are
 *     unsubscribed at once;
 *   - a message on a topic none of the gateway's own filters match proves some foreign filter
 *     is there: every filter that can match that topic is unsubscribed (a filter matching a
 *     topic of n levels is one of a few dozen: each level itself or +, optionally cut by #).
 * Unsubscribing a filter the session does not hold is harmless.
 */
import type { Logger } from "../core/log.js";
import { topicMatches } from "./acl.js";

/** Levels beyond which a foreign topic's filters are not enumerated all (2^n grows fast). */
const MAX_LEVELS = 8;
/** Filters remembered as already unsubscribed on this connection (bounded against a flood of new topics). */
const MAX_REMEMBERED = 10_000;

export interface UnsubscribePort {
  unsubscribe(filters: string[]): Promise<void>;
}

export class SessionSweeper {
  private readonly swept = new Set<string>();

  constructor(
    private readonly opts: {
      baseTopic: string;
      /** "<base>/<id>/" */
      prefix: string;
      /** The gateway's own filters ($share/<group>/ ones included). */
      own: string[];
      link: UnsubscribePort;
      logger: Logger;
    },
  ) {}

  /** True when one of the gateway's own filters matches the topic. */
  isOwn(topic: string): boolean {
    return this.opts.own.some((f) =>
      topicMatches(f.startsWith("$share/") ? f.split("/").slice(2).join("/") : f, topic),
    );
  }

  /** After every connect: a new connection starts with nothing swept. */
  connected(sessionPresent: boolean): Promise<void> {
    this.swept.clear();
    if (!sessionPresent) return Promise.resolve();
    const base = this.opts.baseTopic;
    const own = this.opts.prefix.replace(/\/$/, "");
    return this.sweep(["#", "+/#", `${base}/#`, `${base}/+/#`, `${own}/#`, `${own}/+`, `${own}/+/#`]);
  }

  /** A message that came through a filter that is not the gateway's. */
  foreign(topic: string): Promise<void> {
    return this.sweep(filtersMatching(topic));
  }

  private async sweep(candidates: string[]): Promise<void> {
    const filters = candidates.filter((f) => !this.swept.has(f) && !this.opts.own.includes(f));
    if (filters.length === 0) return;
    if (this.swept.size + filters.length > MAX_REMEMBERED) this.swept.clear();
    for (const f of filters) this.swept.add(f);
    this.opts.logger.warn(
      { filters: filters.length, example: filters[filters.length - 1] },
      "the gateway's MQTT session held a subscription it did not make; unsubscribing (was its client id used by another client?)",
    );
    await this.opts.link.unsubscribe(filters);
  }
}

/** Every MQTT filter that matches `topic` (without $share): each level itself or "+", optionally ending in "#". */
export function filtersMatching(topic: string): string[] {
  const levels = topic.split("/");
  const out: string[] = [];
  const dollar = topic.startsWith("$");
  const variants = (upTo: number): string[][] => {
    let acc: string[][] = [[]];
    for (let i = 0; i < upTo; i++)
      acc = acc.flatMap((p) =>
        i === 0 && dollar
          ? [[...p, levels[i]!]]
          : [
              [...p, levels[i]!],
              [...p, "+"],
            ],
      );
    return acc;
  };
  const n = levels.length;
  // "#" after k levels matches the topic for every k from 0 to n (a/b/# matches a/b too).
  for (let k = 0; k <= Math.min(n, MAX_LEVELS); k++) {
    if (k === 0 && dollar) continue;
    for (const p of variants(k)) out.push([...p, "#"].join("/"));
  }
  if (n <= MAX_LEVELS) for (const p of variants(n)) out.push(p.join("/"));
  return out;
}
