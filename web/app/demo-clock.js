// The demo's own clock in the header (`duegate demo --clock`, `--fast`), so that what the Today
// page calls today is plain to see. On an appliance the server says there is none: nothing shown.
import { html, useState, useEffect, api } from "./lib.js";
import { i18n, t } from "./i18n/index.js";

/** How often the time-lapse is read again: its clock jumps in steps the panel cannot foresee. */
const LAPSE_POLL_MS = 2000;

export function DemoClock() {
  const [clock, setClock] = useState(null);
  const [, tick] = useState(0);

  useEffect(() => {
    let stopped = false;
    let timer;
    const read = async () => {
      const c = await api("/api/v1/clock").catch(() => null);
      if (stopped || !c?.demo) return;
      setClock({ ...c, readAt: Date.now() });
      // A shifted clock runs at normal speed: one reading is enough, the browser counts on.
      if (c.demo.mode === "time-lapse") timer = setTimeout(read, LAPSE_POLL_MS);
    };
    read();
    const seconds = setInterval(() => tick((n) => n + 1), 1000);
    return () => {
      stopped = true;
      clearTimeout(timer);
      clearInterval(seconds);
    };
  }, []);

  if (!clock) return null;
  const lapse = clock.demo.mode === "time-lapse";
  // Between readings a time-lapse would race ahead by its nominal speed; show the last reading instead.
  const now = lapse ? clock.now : clock.now + (Date.now() - clock.readAt);
  const shown = new Intl.DateTimeFormat(i18n.locale, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZone: clock.timeZone,
  }).format(new Date(now));
  return html`<span class="demo-clock" title=${t("clock.title", { zone: clock.timeZone })}>
    <span class="demo-clock-label">${t("clock.demo")}</span>
    <time datetime=${new Date(now).toISOString()}>${shown}</time>
    ${lapse && html`<span class="badge">${t("clock.timeLapse", { speed: new Intl.NumberFormat(i18n.locale).format(clock.demo.speed) })}</span>`}
  </span>`;
}
