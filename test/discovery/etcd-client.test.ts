/**
 * idlcall's own etcd v3 client (gRPC over our HTTP/2 channel, messages written by hand) against
 * a real etcd: what it writes, etcdctl reads, and the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EtcdClient } from '../../src/discovery/index.js';
import { utf8 } from '../../src/discovery/etcd/client.js';
import { EtcdPath, decodeWatchResponse, encodeLeaseRequest, encodeWatchCreate, prefixRangeEnd, decodeLeaseResponse } from '../../src/discovery/etcd/wire.js';
import { startEtcd, type EtcdServer } from '../support/etcd.js';
import { oracles } from '../support/oracles.js';

const ready = oracles('etcd', 'etcdctl');
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe.skipIf(!ready)('etcd client against etcd', () => {
  let etcd: EtcdServer;
  let client: EtcdClient;

  beforeAll(async () => {
    etcd = await startEtcd();
    client = new EtcdClient({ endpoints: [etcd.endpoint] });
  });

  afterAll(async () => {
    await client?.close();
    await etcd?.stop();
  });

  it('reads a prefix that etcdctl wrote, with the store revision', async () => {
    await etcd.ctl('put', 'p/a/1', 'one');
    await etcd.ctl('put', 'p/a/2', 'two');
    await etcd.ctl('put', 'p/b/1', 'other');
    const prefix = utf8('p/a/');
    const r = await client.range(prefix, prefixRangeEnd(prefix));
    expect(r.kvs.map((kv) => [text(kv.key), text(kv.value)])).toEqual([
      ['p/a/1', 'one'],
      ['p/a/2', 'two'],
    ]);
    expect(r.revision).toBeGreaterThanOrEqual(r.kvs[1]!.modRevision);
  });

  it('writes keys under a lease that etcdctl sees, and revokes it', async () => {
    const lease = await client.grant(30);
    expect(lease.ttl).toBe(30);
    await client.put(utf8('q/x'), utf8('{"v":1}'), lease.id);
    expect(await etcd.ctl('get', 'q/x', '--print-value-only')).toBe('{"v":1}\n');
    const ttl = await etcd.ctl('lease', 'timetolive', lease.id.toString(16), '--keys');
    expect(ttl).toContain('q/x');
    await client.revoke(lease.id);
    expect(await etcd.ctl('get', 'q/x')).toBe('');
    await client.put(utf8('q/y'), utf8('y'), 0n);
    await client.delete(utf8('q/y'));
    expect(await etcd.ctl('get', 'q/y')).toBe('');
  });

  it('keeps a lease alive over a LeaseKeepAlive stream', async () => {
    const lease = await client.grant(5);
    const call = client.openStream(EtcdPath.LeaseKeepAlive);
    await call.send(encodeLeaseRequest(lease.id));
    const r = decodeLeaseResponse((await call.recv())!);
    expect(r.id).toBe(lease.id);
    expect(r.ttl).toBe(5);
    call.cancel();
    await client.revoke(lease.id);
    // A gone lease answers TTL 0 (or less).
    const again = client.openStream(EtcdPath.LeaseKeepAlive);
    await again.send(encodeLeaseRequest(lease.id));
    expect(decodeLeaseResponse((await again.recv())!).ttl).toBeLessThanOrEqual(0);
    again.cancel();
  });

  it('watches a prefix: puts and deletes made by etcdctl arrive as events', async () => {
    const prefix = utf8('w/');
    const { revision } = await client.range(prefix, prefixRangeEnd(prefix));
    const call = client.openStream(EtcdPath.Watch);
    await call.send(encodeWatchCreate(prefix, prefixRangeEnd(prefix), revision + 1));
    const created = decodeWatchResponse((await call.recv())!);
    expect(created.created).toBe(true);
    await etcd.ctl('put', 'w/1', 'a');
    await etcd.ctl('del', 'w/1');
    const seen: string[] = [];
    while (seen.length < 2) {
      for (const ev of decodeWatchResponse((await call.recv())!).events) seen.push(`${ev.type} ${text(ev.kv.key)} ${text(ev.kv.value)}`);
    }
    expect(seen).toEqual(['put w/1 a', 'delete w/1 ']);
    call.cancel();
  });
});
