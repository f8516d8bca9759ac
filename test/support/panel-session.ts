/**
 * Calling the real appliance over loopback HTTP as a person of the panel would: log in
 * (POST /api/v1/login), then every call with the session cookie and the CSRF token. Also a
 * caller with any other headers (an API key).
 */
import { expect } from "vitest";

export interface PanelAnswer<B> {
  status: number;
  /** The JSON answer; `{}` for an empty one. */
  body: B;
  text: string;
}

export type PanelCall<B = unknown> = (method: string, path: string, body?: unknown) => Promise<PanelAnswer<B>>;

/** Calls with these headers (a session's, or an API key's). */
export function callerWith<B = unknown>(
  url: string,
  headers: Record<string, string>,
  timeoutMs = 30_000,
): PanelCall<B> {
  return async (method, path, body) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await r.text();
    return { status: r.status, body: (text ? JSON.parse(text) : {}) as B, text };
  };
}

/** Logs `name` in; the caller then carries the session cookie and the CSRF token. */
export async function panelSession<B = unknown>(url: string, name: string, password: string): Promise<PanelCall<B>> {
  const res = await fetch(`${url}/api/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, password }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(res.status, `login ${name}`).toBe(200);
  const cookie = res.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const { csrfToken } = (await res.json()) as { csrfToken: string };
  return callerWith<B>(url, { cookie, "x-csrf-token": csrfToken });
}
