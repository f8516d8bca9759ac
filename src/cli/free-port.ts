import { createServer } from "node:net";

/** The wanted port if it is free on host, else one the system picks (the demo must start anyway). */
export async function freePort(host: string, wanted: number): Promise<number> {
  const tryListen = (port: number) =>
    new Promise<number | undefined>((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(undefined));
      server.listen({ host, port, exclusive: true }, () => {
        const address = server.address();
        const bound = typeof address === "object" && address ? address.port : port;
        server.close(() => resolve(bound));
      });
    });
  return (await tryListen(wanted)) ?? (await tryListen(0)) ?? wanted;
}
