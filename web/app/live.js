// One EventSource for the whole panel (GET /api/v1/live); pages subscribe to event names.
// The names come from the server's event table (src/api/events.ts) through /contract.js.
import { LIVE_EVENTS } from "/contract.js";
const listeners = new Map();
let source = null;
const statusListeners = new Set();
export let connected = false;

function dispatch(name, data) {
  for (const fn of listeners.get(name) ?? []) fn(data);
  for (const fn of listeners.get("*") ?? []) fn(name, data);
}

export function startLive() {
  if (source) return;
  source = new EventSource("/api/v1/live");
  for (const name of LIVE_EVENTS) source.addEventListener(name, (e) => dispatch(name, JSON.parse(e.data)));
  source.onopen = () => setConnected(true);
  source.onerror = () => setConnected(false);
}

function setConnected(on) {
  connected = on;
  for (const fn of statusListeners) fn(on);
}

export function onLive(name, fn) {
  if (!listeners.has(name)) listeners.set(name, new Set());
  listeners.get(name).add(fn);
  return () => listeners.get(name).delete(fn);
}

export function onConnection(fn) {
  statusListeners.add(fn);
  return () => statusListeners.delete(fn);
}
