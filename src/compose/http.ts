/**
 * The API and web panel as a service: HTTPS with the appliance's certificate when http.tls asks
 * for it (src/system/tls-policy.ts), /metrics, and the plain listener that only redirects.
 */
import type { FastifyInstance } from "fastify";
import { DuegateError, ErrorCode, errorMessage } from "../core/errors.js";
import type { Service } from "../core/lifecycle.js";
import type { AuthService } from "../auth/index.js";
import type { AppServices } from "../app-services.js";
import type { Metrics } from "../metrics/index.js";
import { parseListen } from "../config/listen.js";
import { buildServer } from "../http/server.js";
import { listenOn } from "../http/listen.js";
import { httpsEnabled } from "../system/tls-policy.js";
import { startHttpsRedirect } from "../http/https-redirect.js";
import { ensureTlsIdentity, type TlsIdentity } from "../system/tls-certificate.js";
import type { AppContext } from "./context.js";

const urlOf = (scheme: string, host: string, port: number): string =>
  `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;

export function buildHttp(ctx: AppContext, o: { services: AppServices; auth: AuthService; metrics: Metrics }) {
  const { logger, dataDir } = ctx;
  let server: FastifyInstance | undefined;
  let redirect: { close(): Promise<void> } | undefined;
  let tlsIdentity: TlsIdentity | undefined;
  const at: { url?: string; redirectUrl?: string } = {};

  const certificate = async (http: AppServices["config"]["http"]): Promise<TlsIdentity> => {
    try {
      return await ensureTlsIdentity({
        dataDir,
        ...(http.certFile ? { certFile: http.certFile } : {}),
        ...(http.keyFile ? { keyFile: http.keyFile } : {}),
      });
    } catch (e) {
      throw new DuegateError(
        ErrorCode.ConfigInvalid,
        `HTTPS certificate (http.certFile, http.keyFile): ${errorMessage(e)}`,
        { key: "http.certFile" },
      );
    }
  };

  const service: Service = {
    name: "http",
    async start() {
      const http = ctx.live.current.http;
      const { host, port } = parseListen(http.listen);
      const https = httpsEnabled(http);
      if (https) tlsIdentity = await certificate(http);
      server = await buildServer(o.services, {
        auth: o.auth,
        ...(tlsIdentity ? { https: { cert: tlsIdentity.cert, key: tlsIdentity.key } } : {}),
        metrics: o.metrics,
      });
      const bound = await listenOn(server, host, port);
      at.url = urlOf(https ? "https" : "http", host, bound);
      if (tlsIdentity)
        logger.info(
          {
            url: at.url,
            certificate: tlsIdentity.source,
            certPath: tlsIdentity.certPath,
            fingerprint256: tlsIdentity.fingerprint256,
            notAfter: tlsIdentity.notAfter.toISOString(),
          },
          "web panel and API listening over HTTPS",
        );
      else logger.info({ url: at.url }, "web panel and API listening");
      if (!http.redirectFrom) return;
      if (!https)
        throw new DuegateError(
          ErrorCode.ConfigInvalid,
          `http.redirectFrom is set (${http.redirectFrom}) but the panel serves plain HTTP (http.tls: ${http.tls} on ${http.listen}): there is no HTTPS to redirect to`,
          { key: "http.redirectFrom" },
        );
      const from = parseListen(http.redirectFrom);
      redirect = await startHttpsRedirect({ host: from.host, port: from.port, httpsPort: bound }).then((r) => {
        at.redirectUrl = urlOf("http", from.host, r.port);
        return r;
      });
      logger.info({ url: at.redirectUrl, to: at.url }, "plain HTTP listener redirecting to HTTPS");
    },
    async stop() {
      await redirect?.close();
      await server?.close();
    },
  };

  return {
    service,
    get url() {
      return at.url;
    },
    get redirectUrl() {
      return at.redirectUrl;
    },
    get fingerprint() {
      return tlsIdentity?.fingerprint256;
    },
  };
}
