/* global history, URLSearchParams, CustomEvent */
// Shared pieces of the panel: the view library, the API client (session cookie + CSRF
// header), formatting, and small components used by several pages.
import { h, render, Fragment } from "/vendor/preact.mjs";
import { useState, useEffect, useRef, useMemo, useCallback } from "/vendor/hooks.mjs";
import htm from "/vendor/htm.mjs";
import { withInlineSpaces } from "./html-spaces.js";
import { i18n, t, term } from "./i18n/index.js";

export const html = withInlineSpaces(htm.bind(h));
export { h, render, Fragment, useState, useEffect, useRef, useMemo, useCallback };

/** The logged-in principal and the CSRF token, set once by main.js from GET /api/v1/me. */
export const session = { principal: null, csrfToken: null };

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? t("common.requestFailed", { status }));
    this.status = status;
    this.code = body?.error?.code;
    // The API names the field at fault with a JSON pointer; a form names its fields by the top-level key ("/to" → "to").
    const field = body?.error?.field;
    this.field = typeof field === "string" && /^\/[^/]*$/.test(field) ? field.slice(1) : field;
    /** Every refused field, [{ field, message }] (settings). */
    this.fields = body?.error?.fields ?? (this.field ? [{ field: this.field, message: this.message }] : []);
    /** The whole answer, for routes that say more than the error (the relay test's failure class). */
    this.body = body;
  }
}

/** fetch for the panel: JSON in and out, the CSRF header on unsafe methods, back to the login on 401. */
export async function api(path, { method = "GET", body, query } = {}) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== "" && v !== null) url.searchParams.set(k, String(v));
  const headers = {};
  if (body !== undefined) headers["content-type"] = "application/json";
  if (method !== "GET" && session.csrfToken) headers["x-csrf-token"] = session.csrfToken;
  const res = await fetch(url, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: "same-origin",
  });
  if (res.status === 401 && path !== "/api/v1/login") {
    location.assign(`/login?next=${encodeURIComponent(location.pathname + location.search)}`);
    throw new ApiError(401, { error: { message: t("common.sessionEnded") } });
  }
  const text = await res.text();
  const data = text ? JSON.parse(text) : null;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Mirrors the server's grants() (src/auth/types.ts): write includes desk. */
export function can(scope) {
  const scopes = session.principal?.scopes ?? [];
  return scopes.includes(scope) || (scope === "desk" && scopes.includes("write"));
}

/** Client-side navigation: the server serves the same shell for every page path. */
export function navigate(path) {
  history.pushState(null, "", path);
  window.dispatchEvent(new CustomEvent("duegate:navigate"));
}

export function queryParams() {
  return Object.fromEntries(new URLSearchParams(location.search));
}

/** Loads data for a page; `reload` fetches again (after an action or a live event). */
export function useData(load, deps = []) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    setState((s) => ({ ...s, loading: true }));
    load().then(
      (data) => mine === seq.current && setState({ loading: false, data, error: null }),
      (error) => mine === seq.current && setState({ loading: false, data: null, error }),
    );
  }, deps);
  useEffect(reload, [reload]);
  return { ...state, reload };
}

// Dates and money in the user's language (web/app/i18n): formatters made once per locale.
const dateTimes = new Map();
export function when(ms) {
  if (!ms) return "–";
  if (!dateTimes.has(i18n.locale))
    dateTimes.set(i18n.locale, new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeStyle: "short" }));
  return dateTimes.get(i18n.locale).format(new Date(ms));
}

/** A calendar date (YYYY-MM-DD) in the user's language, read as that day wherever the browser is. */
export function day(iso) {
  if (!iso) return "–";
  return new Intl.DateTimeFormat(i18n.locale, { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(`${iso}T00:00:00Z`),
  );
}

/** Minor units by the currency's own exponent (0 for JPY, 3 for KWD), as src/core/money.ts does on the server. */
export function money(minor, currency) {
  try {
    const format = new Intl.NumberFormat(i18n.locale, { style: "currency", currency });
    return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

/** A share (0.42) as a percentage in the user's locale ("42 %" in German, "42%" in English). */
export function percent(x) {
  if (x === null || x === undefined || Number.isNaN(x)) return "–";
  return new Intl.NumberFormat(i18n.locale, { style: "percent", maximumFractionDigits: 0 }).format(x);
}

/** A count or measure in the user's locale (1,234 / 1.234); "–" when there is none. */
export function count(n, fractionDigits = 0) {
  if (n === null || n === undefined || Number.isNaN(n)) return "–";
  return new Intl.NumberFormat(i18n.locale, { maximumFractionDigits: fractionDigits }).format(n);
}

export function Loading({ state, children }) {
  if (state.error) return html`<p class="error" role="alert">${state.error.message}</p>`;
  if (state.loading && !state.data) return html`<p class="muted" aria-busy="true">${t("common.loading")}</p>`;
  return children(state.data);
}

export function StateBadge({ state }) {
  return html`<span class=${`badge state-${state}`}>${term("state", state)}</span>`;
}

/** A labelled input; `error` is shown under it and linked for screen readers. */
export function Field({ id, label, error, hint, children }) {
  return html`<div class=${`field${error ? " has-error" : ""}`}>
    <label for=${id}>${label}</label>
    ${children} ${hint && html`<small id=${`${id}-hint`} class="muted">${hint}</small>`}
    ${error && html`<small id=${`${id}-error`} class="error" role="alert">${error}</small>`}
  </div>`;
}

export function Notice({ notice }) {
  if (!notice) return null;
  return html`<p class=${notice.kind === "error" ? "error" : "ok"} role=${notice.kind === "error" ? "alert" : "status"}>
    ${notice.text}
  </p>`;
}

/** A link to one account's page (/accounts/<id>): client-side, so Back returns here. */
export function AccountLink({ id, children }) {
  if (!id) return children ?? null;
  const href = `/accounts/${encodeURIComponent(id)}`;
  const go = (e) => {
    if (e.ctrlKey || e.metaKey || e.shiftKey) return;
    e.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${go}>${children ?? id}</a>`;
}

/**
 * The one way the panel shows a signal (dashboard, Modem page, doctor): bars 0-4 as the modem
 * layer counts them from AT+CSQ (src/modem/at/commands/csq.ts), and the dBm.
 */
export function Signal({ signal }) {
  if (!signal || signal.rssi === 99) return html`<span class="signal muted">${t("signal.none")}</span>`;
  const bars = Math.max(0, Math.min(4, signal.bars ?? 0));
  const detail = signal.dbm !== undefined ? `${signal.dbm} dBm` : `RSSI ${signal.rssi}`;
  return html`<span class="signal"
    ><span class="bars" role="img" aria-label=${t("signal.bars", { bars })}>
      ${[1, 2, 3, 4].map((i) => html`<span key=${i} class=${i <= bars ? "on" : ""} style=${{ height: `${4 + i * 4}px` }}></span>`)}
    </span>
    ${detail}</span
  >`;
}
