/**
 * What a pooled ping-pong client does to the life of its process: a call in
 * flight keeps it running until the reply, and idle connections left open
 * (no `close()`) do not keep it alive once the calls are done. Each case runs
 * a small script against the built client in a child process.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ServerRequestReader, encodeServerReply } from '../../src/ttheader/index.js';
import { startServer, TWriter, type ScriptedServer } from './helpers.js';

// vitest's global setup (test/global-setup.ts) builds dist/ once per run.
const DIST = pathToFileURL(join(fileURLToPath(new URL('../../', import.meta.url)), 'dist/ttheader/index.js')).href;
const resultBody = new TWriter().field('string', 0).string('pong').stop().bytes();

/** An echo server: the first request on a connection is answered at once, later ones after `delayMs`. */
async function server(delayMs: number): Promise<ScriptedServer> {
  const readers = new WeakMap<object, ServerRequestReader>();
  return startServer((sock, _all, chunk) => {
    let r = readers.get(sock);
    const first = !r;
    if (!r) readers.set(sock, (r = new ServerRequestReader()));
    for (const req of r.push(chunk)) {
      const reply = encodeServerReply(req, { body: resultBody });
      if (first) sock.write(reply);
      else setTimeout(() => { if (!sock.destroyed) sock.write(reply); }, delayMs);
    }
  });
}

/**
 * Makes `calls` calls at once (on as many connections), then, after a pause long enough
 * for idle connections to be let go, as many again on the same connections; exits
 * without closing the client.
 */
function runScript(port: number, calls: number): Promise<{ code: number | null; out: string }> {
  const script = `
    import { PingPongClient } from ${JSON.stringify(DIST)};
    const c = new PingPongClient({ hostPorts: ['127.0.0.1:${port}'], transport: 'framed', maxConnectionsPerHost: ${calls} });
    const body = new Uint8Array([0x0b, 0, 1, 0, 0, 0, 4, 0x70, 0x69, 0x6e, 0x67, 0]);
    const round = () => Promise.all(Array.from({ length: ${calls} }, () => c.call({ method: 'Ping', body })));
    const ok = (replies) => replies.filter((r) => r && r.body.length > 0).length;
    const first = ok(await round());
    await new Promise((r) => setTimeout(r, 100));
    console.log('replies', first, ok(await round()));
  `;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // bounded: a process kept alive by an idle socket is killed and reported as such
    const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, out: out.trim() });
    });
  });
}

let srv: ScriptedServer | undefined;
afterEach(async () => {
  await srv?.close();
  srv = undefined;
});

describe('ping-pong client and the event loop', () => {
  it.each([1, 4])('calls on reused connections keep the process alive until their replies come; idle connections left open do not (%i connection(s))', async (calls) => {
    srv = await server(1500);
    const r = await runScript(srv.port, calls);
    // an unsettled top-level await would exit with 13 before the replies; a held process is killed
    expect(r.out).toBe(`replies ${calls} ${calls}`);
    expect(r.code).toBe(0);
  }, 20_000);
});
