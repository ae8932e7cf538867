import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A self-signed certificate for localhost / 127.0.0.1, kept in the test fixtures. */
export interface TestCert {
  key: Buffer;
  cert: Buffer;
  keyPath: string;
  certPath: string;
}

/**
 * The test certificate (EC P-256, SAN localhost and 127.0.0.1, valid until 2126), made once
 * with `openssl req -x509` and committed, so TLS tests need no outside program.
 */
export function makeTestCert(): TestCert {
  const keyPath = fileURLToPath(new URL('../fixtures/tls/localhost.key.pem', import.meta.url));
  const certPath = fileURLToPath(new URL('../fixtures/tls/localhost.cert.pem', import.meta.url));
  return { key: readFileSync(keyPath), cert: readFileSync(certPath), keyPath, certPath };
}
