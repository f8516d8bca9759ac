import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { X509Certificate, createPrivateKey } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { ensureTlsIdentity, tlsDir } from "../../src/system/tls-certificate.js";

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "duegate-tls-"));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("TLS identity", () => {
  it("generates a certificate once, private to the service, and keeps it across starts", async () => {
    const dataDir = tmp();
    const first = await ensureTlsIdentity({ dataDir });
    expect(first.source).toBe("generated");
    expect(first.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    const x = new X509Certificate(first.cert);
    expect(x.checkPrivateKey(createPrivateKey(first.key))).toBe(true);
    expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(statSync(tlsDir(dataDir)).mode & 0o777).toBe(0o700);
    expect(statSync(join(tlsDir(dataDir), "duegate.key")).mode & 0o777).toBe(0o600);
    const again = await ensureTlsIdentity({ dataDir });
    expect(again.fingerprint256).toBe(first.fingerprint256);
  });

  it("renews a generated certificate that is about to expire", async () => {
    const dataDir = tmp();
    const first = await ensureTlsIdentity({ dataDir, now: new Date("2020-01-01T00:00:00Z") });
    const later = await ensureTlsIdentity({ dataDir, now: new Date(first.notAfter.getTime() - 86_400_000) });
    expect(later.fingerprint256).not.toBe(first.fingerprint256);
  });

  it("uses configured files and names a file that is not a certificate", async () => {
    const dataDir = tmp();
    const gen = await ensureTlsIdentity({ dataDir });
    const configured = await ensureTlsIdentity({
      dataDir: tmp(),
      certFile: gen.certPath,
      keyFile: join(tlsDir(dataDir), "duegate.key"),
    });
    expect(configured.source).toBe("configured");
    expect(configured.fingerprint256).toBe(gen.fingerprint256);
    await expect(
      ensureTlsIdentity({
        dataDir,
        certFile: join(tlsDir(dataDir), "duegate.key"),
        keyFile: join(tlsDir(dataDir), "duegate.key"),
      }),
    ).rejects.toThrow(/is not a PEM certificate/);
    await expect(ensureTlsIdentity({ dataDir, certFile: gen.certPath })).rejects.toThrow(
      /both a certificate and a key/,
    );
  });
});
