/**
 * A real SMTP server (smtp-server) on a loopback port for the e-mail tests: it keeps every mail
 * it accepted (raw), answers as told per recipient (451 once, 550 always, ...), and can vanish
 * (stop listening and drop every session) and come back on the same port.
 */
import { SMTPServer, type SMTPServerOptions } from "smtp-server";
import type { Socket } from "node:net";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  messageId: string;
  subject: string;
  header(name: string): string | undefined;
}

export type Answer = "ok" | { code: number; message: string };

export interface TestSmtp {
  port: number;
  received: ReceivedMail[];
  /** Decides each RCPT TO (default ok); `n` counts the RCPTs seen for that address. */
  onRcpt: (address: string, n: number) => Answer;
  /** Decides the DATA of each mail (default ok), before it is kept. */
  onData: (mail: Omit<ReceivedMail, "header">) => Answer | "vanish" | "hang";
  /** Answers (250) every DATA held by "hang". */
  releaseHung(): void;
  /** Sessions that sent AUTH with these credentials are accepted (when auth is on). */
  vanish(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

function headerOf(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? "";
  const unfolded = head.replace(/\r?\n[ \t]+/g, " ");
  const line = unfolded.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

const smtpError = (a: { code: number; message: string }): Error =>
  Object.assign(new Error(a.message), { responseCode: a.code });

export async function startSmtp(
  opts: { port?: number; auth?: { user: string; pass: string }; options?: Partial<SMTPServerOptions> } = {},
): Promise<TestSmtp> {
  const rcptCounts = new Map<string, number>();
  const sockets = new Set<Socket>();
  let server: SMTPServer | undefined;
  const hung: Array<() => void> = [];
  const t: TestSmtp = {
    port: opts.port ?? 0,
    received: [],
    onRcpt: () => "ok",
    onData: () => "ok",
    releaseHung: () => {
      for (const h of hung.splice(0)) h();
    },
    vanish: async () => {
      const s = server;
      server = undefined;
      if (!s) return;
      for (const sock of sockets) sock.destroy();
      sockets.clear();
      await new Promise<void>((r) => s.close(() => r()));
    },
    restart: async () => {
      await listen();
    },
    close: async () => {
      await t.vanish();
    },
  };
  const make = (): SMTPServer =>
    new SMTPServer({
      secure: false,
      disabledCommands: opts.auth ? ["STARTTLS"] : ["STARTTLS", "AUTH"],
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 200,
      onConnect(session, cb) {
        cb();
      },
      onAuth(auth, _session, cb) {
        if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.pass)
          return cb(null, { user: auth.username });
        cb(Object.assign(new Error("5.7.8 Authentication credentials invalid"), { responseCode: 535 }));
      },
      onRcptTo(address, _session, cb) {
        const n = (rcptCounts.get(address.address) ?? 0) + 1;
        rcptCounts.set(address.address, n);
        const a = t.onRcpt(address.address, n);
        cb(a === "ok" ? undefined : smtpError(a));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          const mail = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            messageId: headerOf(raw, "Message-ID") ?? "",
            subject: headerOf(raw, "Subject") ?? "",
          };
          const a = t.onData(mail);
          if (a === "vanish") {
            void t.vanish();
            return;
          }
          const accept = (): void => {
            t.received.push({ ...mail, header: (name) => headerOf(raw, name) });
            cb(null, "2.0.0 queued as test");
          };
          if (a === "hang") return void hung.push(accept);
          if (a !== "ok") return cb(smtpError(a));
          accept();
        });
      },
      ...opts.options,
    });
  const listen = async (): Promise<void> => {
    const s = make();
    s.server.on("connection", (sock: Socket) => {
      sockets.add(sock);
      sock.on("close", () => sockets.delete(sock));
    });
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(t.port, "127.0.0.1", () => resolve());
    });
    s.on("error", () => undefined); // a session cut by vanish() is expected
    t.port = (s.server.address() as { port: number }).port;
    server = s;
  };
  await listen();
  return t;
}
