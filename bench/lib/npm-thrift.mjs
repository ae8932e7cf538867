// The npm `thrift` peer's generated code: `thrift --gen js:node` into a directory, with the
// generated requires pointed at this repository's node_modules (the directory is a temp dir).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** Generates the js:node code of `idl` into `dir`. */
export function generateNodeThrift(idl, dir) {
  execFileSync('thrift', ['--gen', 'js:node', '-out', dir, idl], { stdio: ['ignore', 'ignore', 'pipe'] });
  const req = createRequire(join(ROOT, 'package.json'));
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    writeFileSync(
      p,
      readFileSync(p, 'utf8')
        .replace(/require\('thrift'\)/g, `require(${JSON.stringify(req.resolve('thrift'))})`)
        .replace(/require\('node-int64'\)/g, `require(${JSON.stringify(req.resolve('node-int64'))})`),
    );
  }
}

/**
 * Starts npm `thrift`'s server (Framed, TBinaryProtocol) for test/fixtures/ttheader/streaming.thrift's
 * TestService from code generated into `genDir`, answering EchoPingPong with the request's
 * message; resolves to its port.
 */
export async function startNpmThriftEchoServer(genDir) {
  const req = createRequire(join(genDir, 'x.js'));
  const thrift = createRequire(join(ROOT, 'package.json'))('thrift');
  const TestService = req('./TestService.js');
  const { Response } = req('./streaming_types.js');
  const server = thrift.createServer(TestService, { EchoPingPong: (r, cb) => cb(null, new Response({ message: r.message })) }, { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol });
  server.on('error', () => undefined);
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return server.address().port;
}
