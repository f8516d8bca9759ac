/* global ResizeObserver */
// A small uPlot wrapper: a bar-ish daily series chart that follows its container's width.
import uPlot from "/vendor/uplot.mjs";
import { html, useEffect, useRef, count } from "./lib.js";
import { i18n, t } from "./i18n/index.js";

/** A chart's day in the user's locale: "5.12." in German, "05/12" in English. */
function dayLabel(seconds, withYear = false) {
  if (seconds === null || seconds === undefined) return "–";
  return new Intl.DateTimeFormat(i18n.locale, {
    day: "numeric",
    month: "numeric",
    ...(withYear ? { year: "numeric" } : {}),
    timeZone: "UTC",
  }).format(new Date(seconds * 1000));
}

/** days: ["2026-01-01", ...]; series: [{ label, values, color, percent? }] */
export function DailyChart({ title, days, series, height = 200, yRange }) {
  const box = useRef(null);
  useEffect(() => {
    if (!box.current || days.length === 0) return undefined;
    const x = days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
    const width = Math.max(240, box.current.clientWidth);
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        scales: { x: { time: true }, y: yRange ? { range: yRange } : {} },
        axes: [
          { stroke: "#334", grid: { stroke: "#e3e6ea" }, values: (_u, splits) => splits.map((v) => dayLabel(v)) },
          { stroke: "#334", grid: { stroke: "#e3e6ea" }, values: (_u, splits) => splits.map((v) => count(v, 2)) },
        ],
        series: [
          { label: t("chart.day"), value: (_u, v) => dayLabel(v, true) },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: `${s.color}22`,
            points: { size: 5 },
          })),
        ],
      },
      [x, ...series.map((s) => s.values)],
      box.current,
    );
    const ro = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(240, box.current?.clientWidth ?? width), height }),
    );
    ro.observe(box.current);
    return () => {
      ro.disconnect();
      plot.destroy();
    };
  }, [JSON.stringify(days), JSON.stringify(series)]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div
      ref=${box}
      role="img"
      aria-label=${`${title}: ${series.map((s) => `${s.label} ${s.values.join(", ")}`).join("; ")}`}
    ></div>
  </figure>`;
}
