/**
 * Reply bodies are copies the caller owns: the client reads every socket into
 * one shared buffer and copies frames out (small ones into a slab), so a body
 * kept from an early call must still hold its bytes after many later calls,
 * whatever their sizes and however the bytes were split across reads.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { PingPongClient, ServerRequestReader, encodeServerReply } from '../../src/ttheader/index.js';
import { startServer, type ScriptedServer } from './helpers.js';

/** The body the server answers call `i` with: `size(i)` bytes of a pattern seeded by `i`. */
function bodyFor(i: number): Uint8Array {
  const sizes = [1, 17, 300, 4095, 4096, 4097, 9000, 70_000];
  const n = sizes[i % sizes.length]! + (i % 13);
  const b = new Uint8Array(n);
  for (let k = 0; k < n; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b;
}

let srv: ScriptedServer | undefined;
let client: PingPongClient | undefined;
afterAll(async () => {
  await client?.close();
  await srv?.close();
});

describe('ping-pong reply bodies', () => {
  it('stay intact after later calls reuse the read buffer and the slab (sizes 1 B to 70 KB, replies split in pieces)', async () => {
    const readers = new WeakMap<object, ServerRequestReader>();
    srv = await startServer((sock, _all, chunk) => {
      let r = readers.get(sock);
      if (!r) {
        readers.set(sock, (r = new ServerRequestReader()));
        sock.setNoDelay(true); // the pieces go out at once
      }
      for (const req of r.push(chunk)) {
        const i = req.body[0]! | (req.body[1]! << 8);
        const reply = encodeServerReply(req, { body: bodyFor(i) });
        // every third reply goes out in three pieces, so frames also span reads
        if (i % 3 === 0) {
          const a = reply.length >> 2;
          sock.write(reply.subarray(0, a));
          setImmediate(() => {
            sock.write(reply.subarray(a, a + 3));
            setImmediate(() => sock.write(reply.subarray(a + 3)));
          });
        } else sock.write(reply);
      }
    });
    client = new PingPongClient({ hostPorts: [`127.0.0.1:${srv.port}`], transport: 'framed', maxConnectionsPerHost: 3 });
    const kept: Uint8Array[] = [];
    for (let round = 0; round < 100; round++) {
      // three calls at once over three connections, all reading into the same buffer
      const replies = await Promise.all([0, 1, 2].map((k) => {
        const i = round * 3 + k;
        return client!.call({ method: 'Echo', body: new Uint8Array([i & 0xff, i >> 8]) });
      }));
      for (const r of replies) kept.push(r!.body);
    }
    expect(kept).toHaveLength(300);
    kept.forEach((body, i) => expect(Buffer.from(body).equals(Buffer.from(bodyFor(i)))).toBe(true));
  }, 30_000);
});
