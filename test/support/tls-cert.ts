import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A throw-away self-signed certificate for localhost / 127.0.0.1. */
export interface TestCert {
  key: Buffer;
  cert: Buffer;
  keyPath: string;
  certPath: string;
  /** Removes the temp directory. */
  cleanup(): void;
}

/** Makes a self-signed EC certificate with /usr/bin/openssl in a fresh temp dir (SAN: localhost, 127.0.0.1). */
export function makeTestCert(): TestCert {
  const dir = mkdtempSync(join(tmpdir(), 'idlcall-cert-'));
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync('/usr/bin/openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
  ], { stdio: 'pipe' });
  return {
    key: readFileSync(keyPath),
    cert: readFileSync(certPath),
    keyPath,
    certPath,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
