/**
 * `idlcall call --service-config … -v`: gRPC's service config gives the call its retry policy,
 * and -v prints each attempt, against idlcall's server failing the first calls of a key.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runCli } from './helpers.js';
import { FLAKY_PROTO, startFlakyServer, type FlakyServer } from '../governance/flaky-server.js';

let server: FlakyServer;

beforeAll(async () => {
  server = await startFlakyServer();
});

afterAll(async () => {
  await server?.close();
});

const SERVICE_CONFIG = JSON.stringify({
  methodConfig: [
    {
      name: [{ service: 'idlcall.flaky.Flaky', method: 'Unary' }],
      retryPolicy: { maxAttempts: 3, initialBackoff: '0.01s', maxBackoff: '0.05s', backoffMultiplier: 2, retryableStatusCodes: ['UNAVAILABLE'] },
    },
  ],
});

describe('idlcall call: retries from a service config, attempts with -v', () => {
  it('retries twice and prints the three attempts', async () => {
    const req = JSON.stringify({ key: 'cli1', failFirst: 2, code: 14, text: 'hi' });
    const r = await runCli(['call', server.hostPort, 'idlcall.flaky.Flaky/Unary', '--idl', join(ROOT, FLAKY_PROTO), '--service-config', SERVICE_CONFIG, '-v', '-d', req]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ text: 'hi', call: 3 });
    const attempts = r.stderr.split('\n').filter((l) => l.startsWith('Attempt '));
    expect(attempts[0]).toBe(`Attempt 1 to ${server.hostPort}`);
    expect(attempts[1]).toMatch(new RegExp(`^Attempt 2 to ${server.hostPort} \\(retry after UNAVAILABLE: failure #1; waited \\d+ ms\\)$`));
    expect(attempts[2]).toMatch(/^Attempt 3 .*failure #2/);
    expect(attempts).toHaveLength(3);
    expect(server.logs.get('cli1')!.previous).toEqual(['', '1', '2']);
  });

  it('a service config that is not one is a usage error naming the field', async () => {
    const bad = JSON.stringify({ methodConfig: [{ retryPolicy: { maxAttempts: 3, initialBackoff: '10ms' } }] });
    const r = await runCli(['call', server.hostPort, 'idlcall.flaky.Flaky/Unary', '--idl', join(ROOT, FLAKY_PROTO), '--service-config', bad, '-d', '{}']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('methodConfig[0].retryPolicy.initialBackoff must be a duration like "0.5s"');
  });
});
