/**
 * Why a connection failed and what it was: `RpcError.cause` for a refused port, plaintext
 * spoken to a TLS port and an untrusted certificate (gRPC), and a refused port (ping-pong);
 * `onConnect` with the resolved address, ALPN and the TLS peer; `ServerContext.peer`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Code,
  RpcError,
  jsonThriftGeneric,
  newClient,
  newGenericServer,
  newStreamingClient,
  thriftFileProvider,
  type ConnectionInfo,
  type GenericServer,
} from '../../src/index.js';
import { makeTestCert, type TestCert } from '../support/tls-cert.js';

const IDL = 'examples/idl/streaming.thrift';

let plain: GenericServer<string, string>;
let secure: GenericServer<string, string>;
const cert: TestCert = makeTestCert();
/** Nothing listens on port 1 (privileged, never used by tests). */
const DEAD = '127.0.0.1:1';
const peers: string[] = [];

async function failureOf(p: Promise<unknown>): Promise<RpcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(RpcError);
  return err as RpcError;
}

beforeAll(async () => {
  const g = jsonThriftGeneric(await thriftFileProvider(IDL));
  const handlers = {
    EchoPingPong: (req: string, ctx: { peer: string }) => {
      peers.push(ctx.peer);
      return req;
    },
    EchoUnary: (req: string, ctx: { peer: string }) => {
      peers.push(ctx.peer);
      return req;
    },
  };
  plain = newGenericServer(g, handlers);
  await plain.start();
  secure = newGenericServer(g, handlers, { tls: { key: cert.key, cert: cert.cert } });
  await secure.start();
});

afterAll(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});

describe('RpcError.cause says why a connection failed', () => {
  it('gRPC, refused port: UNAVAILABLE with the ECONNREFUSED error as cause', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newStreamingClient('s', g, { hostPorts: [DEAD] });
    const err = await failureOf(cli.genericCall('EchoUnary', '{"message":"x"}'));
    await cli.close();
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('ping-pong, refused port: the same cause', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newClient('s', g, { hostPorts: [DEAD] });
    const err = await failureOf(cli.genericCall('EchoPingPong', '{"message":"x"}'));
    await cli.close();
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('gRPC in plaintext to a TLS port: the cause says the server closed before its SETTINGS', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newStreamingClient('s', g, { hostPorts: [secure.hostPort] });
    const err = await failureOf(cli.genericCall('EchoUnary', '{"message":"x"}'));
    await cli.close();
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect((err.cause as Error).message).toMatch(/closed the connection before sending HTTP\/2 SETTINGS.*TLS/);
  });

  it('gRPC over TLS to an untrusted certificate: the verification error is the cause', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const cli = newStreamingClient('s', g, { hostPorts: [secure.hostPort], tls: true });
    const err = await failureOf(cli.genericCall('EchoUnary', '{"message":"x"}'));
    await cli.close();
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect((err.cause as NodeJS.ErrnoException).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('onConnect tells the connection story', () => {
  it('gRPC in plaintext: h2c, the resolved address; the server sees the client as its peer', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const seen: ConnectionInfo[] = [];
    const target = `localhost:${plain.address.port}`;
    const cli = newStreamingClient('s', g, { hostPorts: [target], onConnect: (i) => seen.push(i) });
    peers.length = 0;
    try {
      // localhost may resolve to ::1 first, where nothing listens; Node then tries 127.0.0.1, which answers
      await cli.genericCall('EchoUnary', '{"message":"x"}');
    } finally {
      await cli.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ target, remoteAddress: '127.0.0.1', remotePort: plain.address.port, protocol: 'h2c', tls: undefined });
    expect(peers).toEqual([`127.0.0.1:${seen[0]!.localPort}`]);
  });

  it('ping-pong: the transport as protocol; the server sees the same peer', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const seen: ConnectionInfo[] = [];
    const cli = newClient('s', g, { hostPorts: [plain.hostPort], onConnect: (i) => seen.push(i) });
    peers.length = 0;
    await cli.genericCall('EchoPingPong', '{"message":"x"}');
    await cli.genericCall('EchoPingPong', '{"message":"y"}'); // the pooled connection: no second story
    await cli.close();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ remoteAddress: '127.0.0.1', protocol: 'ttheader', tls: undefined });
    expect(peers).toEqual([`127.0.0.1:${seen[0]!.localPort}`, `127.0.0.1:${seen[0]!.localPort}`]);
  });

  it('gRPC over TLS: ALPN h2, the peer certificate, verified with the CA and unverified without', async () => {
    const g = jsonThriftGeneric(await thriftFileProvider(IDL));
    const seen: ConnectionInfo[] = [];
    const verified = newStreamingClient('s', g, { hostPorts: [secure.hostPort], tls: { ca: cert.cert }, onConnect: (i) => seen.push(i) });
    const skipped = newStreamingClient('s', g, { hostPorts: [secure.hostPort], tls: { rejectUnauthorized: false }, onConnect: (i) => seen.push(i) });
    try {
      await verified.genericCall('EchoUnary', '{"message":"x"}');
      await skipped.genericCall('EchoUnary', '{"message":"x"}');
    } finally {
      await Promise.all([verified.close(), skipped.close()]);
    }
    expect(seen).toHaveLength(2);
    const [a, b] = seen as [ConnectionInfo, ConnectionInfo];
    expect(a.protocol).toBe('h2');
    expect(a.tls).toMatchObject({ alpn: 'h2', authorized: true, authorizationError: undefined, subject: 'CN=localhost', issuer: 'CN=localhost' });
    expect(a.tls!.version).toMatch(/^TLSv1\.[23]$/);
    expect(a.tls!.subjectAltName).toContain('DNS:localhost');
    expect(a.tls!.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(b.tls).toMatchObject({ authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });
});
