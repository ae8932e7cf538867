/**
 * Issue 19, client side of the ping-pong transports, against hostile servers
 * written with raw node:net: reply size limits (also once a THeader payload is
 * inflated), deadlines longer than Node can arm, buffers that shrink, and a
 * close() that always ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { newClient, Code } from '../../src/index.js';
import { encodeServerReply, FrameDecoder, IntInfoKey, THeaderTransform, type PingPongTransport } from '../../src/ttheader/index.js';
import { closeAll, MiB, rawPingPongServer, rpcError, thriftGeneric, track } from './helpers.js';

afterAll(closeAll);


/** A server answering each request with a reply whose message has `size` characters. */
async function replyOfSize(size: number, transforms?: number[]) {
  const g = await thriftGeneric();
  const body = g.method('Echo').encodeResponse(JSON.stringify({ message: 'r'.repeat(size) }));
  return rawPingPongServer((sock, req) => {
    sock.write(encodeServerReply(transforms ? { ...req, theaderTransforms: transforms } : req, { body }));
  });
}

const TRANSPORTS: PingPongTransport[] = ['ttheader', 'framed', 'buffered', 'theader'];

describe('5. the client receive limit applies to ping-pong replies', () => {
  it.each(TRANSPORTS)('over %s: 5 MiB is refused by default, 3 MiB accepted; 2 MiB refused under a 1 MiB limit', async (transport) => {
    const g = await thriftGeneric();
    const big = await replyOfSize(5 * MiB);
    const e = await rpcError(track(newClient('faults', g, { hostPorts: [big.hostPort], transport })).genericCall('Echo', '{"message":"x"}'));
    expect(e.code).toBe(Code.RESOURCE_EXHAUSTED);
    const fits = await replyOfSize(3 * MiB);
    const ok = await track(newClient('faults', g, { hostPorts: [fits.hostPort], transport })).genericCall('Echo', '{"message":"x"}');
    expect(ok.length).toBe(3 * MiB + 14);
    const mid = await replyOfSize(2 * MiB);
    const limited = track(newClient('faults', g, { hostPorts: [mid.hostPort], transport, maxReceiveMessageBytes: MiB }));
    expect((await rpcError(limited.genericCall('Echo', '{"message":"x"}'))).code).toBe(Code.RESOURCE_EXHAUSTED);
  });
});

describe('3. THeader zlib replies are inflated only up to the receive limit (client side)', () => {
  it('a reply inflating to 16 MiB fails RESOURCE_EXHAUSTED under a 1 MiB limit; the next call is served', async () => {
    const g = await thriftGeneric();
    let n = 0;
    const bomb = g.method('Echo').encodeResponse(JSON.stringify({ message: 'z'.repeat(16 * MiB) }));
    const small = g.method('Echo').encodeResponse('{"message":"fine"}');
    const srv = await rawPingPongServer((sock, req) => {
      sock.write(encodeServerReply({ ...req, theaderTransforms: [THeaderTransform.Zlib] }, { body: n++ === 0 ? bomb : small }));
    });
    const cli = track(newClient('faults', g, { hostPorts: [srv.hostPort], transport: 'theader', maxReceiveMessageBytes: MiB }));
    const e = await rpcError(cli.genericCall('Echo', '{"message":"x"}'));
    expect(e.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(e.message).toMatch(/inflates to more than the limit of 1048576/);
    expect(await cli.genericCall('Echo', '{"message":"x"}')).toBe('{"message":"fine"}');
  });
});

describe('6. deadlines beyond what Node can arm (ping-pong)', () => {
  it('a 30-day timeoutMs does not fire at once: the call completes, and the deadline is still sent', async () => {
    const g = await thriftGeneric();
    const body = g.method('Echo').encodeResponse('{"message":"late"}');
    const srv = await rawPingPongServer((sock, req) => setTimeout(() => sock.write(encodeServerReply(req, { body })), 100));
    const cli = track(newClient('faults', g, { hostPorts: [srv.hostPort], transport: 'ttheader' }));
    const days30 = 30 * 24 * 3600 * 1000;
    expect(await cli.genericCall('Echo', '{"message":"x"}', { timeoutMs: days30 })).toBe('{"message":"late"}');
    expect(srv.requests[0]!.intInfo.get(IntInfoKey.RPCTimeout)).toBe(String(days30));
  });
});

describe('7. client read buffers shrink after a large reply', () => {
  it('a 3 MiB frame fed in 64 KiB reads leaves the decoder holding at most 16 KiB', () => {
    const d = new FrameDecoder({ kind: 'length-prefixed' }, 4 * MiB);
    const frame = new Uint8Array(4 + 3 * MiB);
    new DataView(frame.buffer).setUint32(0, 3 * MiB);
    const frames: Uint8Array[] = [];
    for (let p = 0; p < frame.length; p += 64 * 1024) frames.push(...d.push(frame.subarray(p, p + 64 * 1024), true));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.length).toBe(frame.length);
    expect(d.capacity).toBeLessThanOrEqual(16 * 1024);
  });
});

describe('12. close() always ends', () => {
  it('a call stuck on a silent server is cancelled after the grace; close() resolves', async () => {
    const srv = await rawPingPongServer(() => undefined); // reads requests, never answers
    const cli = newClient('faults', await thriftGeneric(), { hostPorts: [srv.hostPort], transport: 'framed' });
    const stuck = cli.genericCall('Echo', '{"message":"x"}');
    await new Promise((r) => setTimeout(r, 50));
    const failed = rpcError(stuck);
    await cli.close({ graceMs: 100 });
    expect((await failed).code).toBe(Code.CANCELLED);
    await expect(cli.genericCall('Echo', '{}')).rejects.toThrow(/closed/);
  });

  it('a call that finishes within the grace completes normally', async () => {
    const g = await thriftGeneric();
    const body = g.method('Echo').encodeResponse('{"message":"made it"}');
    const srv = await rawPingPongServer((sock, req) => setTimeout(() => sock.write(encodeServerReply(req, { body })), 100));
    const cli = newClient('faults', g, { hostPorts: [srv.hostPort], transport: 'ttheader' });
    const call = cli.genericCall('Echo', '{"message":"x"}');
    await new Promise((r) => setTimeout(r, 20));
    await cli.close({ graceMs: 10_000 });
    expect(await call).toBe('{"message":"made it"}');
  });
});
