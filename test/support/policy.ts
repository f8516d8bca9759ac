/**
 * A policy of one step on the due day at midnight, for tests that run the real engine: a
 * reminder is due whatever the hour the test runs at.
 */
export function midnightPolicy(
  templates: Record<string, string>,
  optOutLine: Record<string, string> = { en: "Reply STOP to opt out." },
) {
  return {
    name: "test",
    fallbackLocale: "en",
    defaultSequence: "standard",
    defaultTime: "00:00",
    sequences: { standard: { steps: [{ id: "due", offsetDays: 0, time: "00:00", template: "due" }] } },
    templates: { due: templates },
    optOutLine,
    segments: {},
  };
}
