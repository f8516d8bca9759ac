/**
 * Who may publish and subscribe to what on the embedded broker. Three roles:
 *   gateway    the gateway's own client: everything under <base>/<id>/ (and the shared send topic);
 *   accounting the accounting server: publishes the in-topics and requests, reads everything
 *              under <base>/<id>/ (the events, the answers and its own traffic);
 *   reader     a read-only user from the configuration: the event topics only (no answers to
 *              requests, which carry account data asked for by someone else).
 * The patterns derive from the topic table (src/api/topics.ts), so a new topic is covered the
 * day it is added. A subscription is granted only when every topic its filter can match is
 * readable: `#`, `+/...` and `$SYS/...` never are.
 */
import { IN_TOPICS, OUT_TOPICS } from "../api/topics.js";

export type BrokerRole = "gateway" | "accounting" | "reader";

export interface TopicScope {
  baseTopic: string;
  gatewayId: string;
  /** "<base>/shared/send" when several gateways share send work. */
  sharedSendTopic?: string;
}

export class TopicAcl {
  private readonly publish: Record<BrokerRole, string[]>;
  private readonly read: Record<BrokerRole, string[]>;

  constructor(scope: TopicScope) {
    const own = `${scope.baseTopic}/${scope.gatewayId}`;
    const shared = scope.sharedSendTopic ? [scope.sharedSendTopic] : [];
    const inTopics = Object.values(IN_TOPICS).map((t) => `${own}/${t.topic}`);
    // "keyword/<kind>" in the table is one level of any name.
    const events = OUT_TOPICS.filter((t) => !t.topic.startsWith("response/")).map(
      (t) => `${own}/${t.topic.replace(/<[^>]+>/g, "+")}`,
    );
    this.publish = { gateway: [`${own}/#`], accounting: [...inTopics, `${own}/request/+`, ...shared], reader: [] };
    this.read = { gateway: [`${own}/#`, ...shared], accounting: [`${own}/#`], reader: events };
  }

  /** Undefined when allowed; else the reason, for the log. Only the gateway publishes retained messages (its status). */
  refusePublish(role: BrokerRole, topic: string, retain: boolean): string | undefined {
    if (retain && role !== "gateway") return "only the gateway publishes retained messages";
    if (!this.publish[role].some((p) => topicMatches(p, topic))) return `role ${role} may not publish to ${topic}`;
    return undefined;
  }

  /** Whether every topic `filter` can match is readable by the role ($share/<group>/ is looked through). */
  maySubscribe(role: BrokerRole, filter: string): boolean {
    const f = stripShare(filter);
    if (f === undefined || !isValidFilter(f)) return false;
    return this.read[role].some((allowed) => filterWithin(f, allowed));
  }

  /** Whether the role may receive a message on this topic (checked again at delivery). */
  mayRead(role: BrokerRole, topic: string): boolean {
    return this.read[role].some((p) => topicMatches(p, topic));
  }
}

/** "$share/<group>/<filter>" → "<filter>"; undefined when malformed. */
function stripShare(filter: string): string | undefined {
  if (!filter.startsWith("$share/")) return filter;
  const parts = filter.split("/");
  return parts.length >= 3 && parts[1] ? parts.slice(2).join("/") : undefined;
}

function isValidFilter(f: string): boolean {
  const levels = f.split("/");
  return levels.every((l, i) =>
    l === "#" ? i === levels.length - 1 : l === "+" || (!l.includes("+") && !l.includes("#")),
  );
}

/** MQTT matching of a topic name against a filter (a topic starting with $ is not matched by a leading wildcard). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split("/");
  const t = topic.split("/");
  if (topic.startsWith("$") && (f[0] === "+" || f[0] === "#")) return false;
  for (let i = 0; i < f.length; i++) {
    if (f[i] === "#") return true;
    if (i >= t.length) return false;
    if (f[i] !== "+" && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Whether every topic matched by `inner` is matched by `outer` (both filters). */
export function filterWithin(inner: string, outer: string): boolean {
  const a = inner.split("/");
  const b = outer.split("/");
  for (let i = 0; ; i++) {
    if (b[i] === "#") return true;
    if (i >= a.length || i >= b.length) return a.length === b.length;
    if (a[i] === "#") return false;
    if (a[i] === "+") {
      if (b[i] !== "+") return false;
    } else if (b[i] !== "+" && b[i] !== a[i]) return false;
  }
}
