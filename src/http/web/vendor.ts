/**
 * The panel's libraries (Preact, its hooks, htm, uPlot) served from node_modules under
 * /vendor/: no CDN (the appliance may have no internet) and no build step. Bare imports
 * between them ("preact") are rewritten to relative ones, because an import map would be
 * an inline script and the CSP allows none.
 */
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { FastifyPluginAsync } from "fastify";

const require = createRequire(import.meta.url);

function packageDir(name: string): string {
  // require.resolve gives the package's main file; its dist folder sits under the package.
  let dir = dirname(require.resolve(name));
  while (!dir.endsWith(`node_modules/${name}`) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

interface VendorFile {
  type: string;
  body: string;
}

function load(): Map<string, VendorFile> {
  const preact = packageDir("preact");
  const js = "text/javascript; charset=utf-8";
  const rewrite = (code: string) => code.replace(/from\s*"preact"/g, 'from"./preact.mjs"');
  const files = new Map<string, VendorFile>();
  files.set("preact.mjs", { type: js, body: readFileSync(join(preact, "dist/preact.mjs"), "utf8") });
  files.set("hooks.mjs", { type: js, body: rewrite(readFileSync(join(preact, "hooks/dist/hooks.mjs"), "utf8")) });
  files.set("htm.mjs", { type: js, body: readFileSync(join(packageDir("htm"), "dist/htm.mjs"), "utf8") });
  const uplot = packageDir("uplot");
  files.set("uplot.mjs", { type: js, body: readFileSync(join(uplot, "dist/uPlot.esm.js"), "utf8") });
  files.set("uplot.css", {
    type: "text/css; charset=utf-8",
    body: readFileSync(join(uplot, "dist/uPlot.min.css"), "utf8"),
  });
  return files;
}

export const vendorRoutes: FastifyPluginAsync = async (app) => {
  const files = load();
  app.get<{ Params: { file: string } }>("/vendor/:file", { config: { scope: "public" } }, async (request, reply) => {
    const file = files.get(request.params.file);
    if (!file)
      return reply
        .code(404)
        .send({ error: { code: "http.not_found", message: `no vendor file ${request.params.file}` } });
    // Versions change only with an upgrade of duegate, which restarts the service.
    return reply.type(file.type).header("cache-control", "public, max-age=3600").send(file.body);
  });
};
