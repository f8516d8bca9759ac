/**
 * The web panel: its static files (web/), its libraries (/vendor/) and the live feed
 * (/api/v1/live). Its pages read and write through the REST API (src/http/routes/) with the
 * session cookie; the data the pages read is the REST API (docs/http.md).
 *
 * Panel pages need a session: without one they redirect to /login. The static assets
 * (code and styles, no data) are public so that the login page can load.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { FastifyPluginAsync, FastifyRequest } from "fastify";
import fastifyStatic from "@fastify/static";
import type { WebServices } from "./ports.js";
import { REFERENCE_LANGUAGE, type PanelLanguage } from "../panel-languages.js";
import { vendorRoutes } from "./vendor.js";
import { contractRoutes } from "./contract.js";
import { liveRoutes } from "./live.js";
import { demoClockRoutes } from "./demo-clock.js";
import { jsonErrorHandler } from "../auth/errors.js";

export type { WebServices } from "./ports.js";

/** The panel's pages; each serves the same app shell, which picks the page from the path. */
export const PANEL_PAGES = [
  "/",
  "/today",
  "/messages",
  "/inbox",
  "/calendar",
  "/reports",
  "/accounts",
  "/opt-outs",
  "/policy",
  "/send",
  "/modem",
  "/settings",
  "/logs",
] as const;

export interface WebPluginOptions {
  services: WebServices;
  /** Folder of the panel's files; default: web/ of the installation. */
  webRoot?: string;
  /** The panel language of a logged-in request (the user's choice, else Accept-Language): the shell is sent in it. */
  languageOf?: (request: FastifyRequest) => PanelLanguage;
}

/** index.html in a language: its lang attribute and the words shown before the panel's code runs. */
export function shellIn(shell: string, language: PanelLanguage): string {
  const escape = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  let page = shell.replace(/<html lang="[^"]*">/, `<html lang="${escape(language.code)}">`);
  if (language.shell)
    page = page
      .replace(/(<p class="loading"[^>]*>)[^<]*(<\/p>)/, `$1${escape(language.shell.loading)}$2`)
      .replace(/(<noscript>)[^<]*(<\/noscript>)/, `$1${escape(language.shell.noscript)}$2`);
  return page;
}

export function defaultWebRoot(): string {
  // src/http/web/ under tsx, dist/src/http/web/ when built: web/ is at the top either way.
  for (const up of ["../../../web", "../../../../web"]) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(`${dir}/index.html`)) return dir;
  }
  return fileURLToPath(new URL("../../../web", import.meta.url));
}

export const webPlugin: FastifyPluginAsync<WebPluginOptions> = async (app, opts) => {
  const root = opts.webRoot ?? defaultWebRoot();
  await app.register(fastifyStatic, {
    root,
    prefix: "/assets/",
    index: false,
    wildcard: true,
    cacheControl: true,
    maxAge: 0,
  });

  // Browsers ask for /favicon.ico on their own; the icon is the panel's SVG.
  app.get("/favicon.ico", { config: { scope: "public" } }, async (_request, reply) =>
    reply.redirect("/assets/favicon.svg", 301),
  );

  app.get("/login", { config: { scope: "public" } }, async (_request, reply) =>
    reply.header("cache-control", "no-store").sendFile("login.html"),
  );

  // The shell names its language before any script runs (screen readers, hyphenation); the
  // panel's first paint then comes in that language too (main.js loads it before drawing).
  const shell = readFileSync(join(root, "index.html"), "utf8");
  // One account's page has its own address (/accounts/<id>), so Back and a shared link work.
  for (const page of [...PANEL_PAGES, "/accounts/:id"]) {
    app.get(page, { config: { scope: "public" } }, async (request, reply) => {
      if (!request.principal) {
        const next = encodeURIComponent(request.url);
        return reply.redirect(`/login?next=${next}`, 302);
      }
      return reply
        .header("cache-control", "no-store")
        .type("text/html; charset=utf-8")
        .send(shellIn(shell, opts.languageOf?.(request) ?? REFERENCE_LANGUAGE));
    });
  }

  await app.register(vendorRoutes);
  await app.register(contractRoutes);
  await app.register(liveRoutes, { services: opts.services });
  await app.register(async (panel) => {
    panel.setErrorHandler(jsonErrorHandler);
    await panel.register(demoClockRoutes, { services: opts.services });
  });
};
