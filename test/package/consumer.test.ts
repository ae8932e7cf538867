/**
 * The package as a user gets it: the tracked files are copied to a clean directory, packed
 * there with `npm pack` (whose `prepack` builds dist/), and the tarball is installed into a
 * fresh project (dependencies from the local npm cache where it has them). That project then
 * imports it as ESM, requires it from CommonJS, runs `npx idlcall`, and type-checks TypeScript
 * against it with `module: nodenext` and with `moduleResolution: bundler`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const work = mkdtempSync(join(tmpdir(), 'idlcall-consumer-'));
const consumer = join(work, 'consumer');
/** tsc takes seconds on a quiet machine and much longer on a loaded one. */
const TSC_TIMEOUT = 180_000;
let tarball = '';
let tarballFiles: string[] = [];

/** Runs a command; resolves with stdout, rejects with stderr in the message. */
function run(cmd: string, args: string[], cwd: string, timeout = 120_000): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(cmd, args, { cwd, timeout, maxBuffer: 16 << 20, env: { ...process.env, npm_config_update_notifier: 'false' } }, (err, stdout, stderr) =>
      err ? reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}\n${stdout}`)) : resolve(stdout),
    ),
  );
}

/** The files git tracks (or, outside a checkout, every file but dependencies and builds). */
function sourceFiles(): string[] {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\0').filter(Boolean);
  } catch {
    const out: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(join(ROOT, dir))) {
        if (['node_modules', 'dist', '.git'].includes(name)) continue;
        const rel = dir ? `${dir}/${name}` : name;
        if (statSync(join(ROOT, rel)).isDirectory()) walk(rel);
        else out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

beforeAll(async () => {
  // A clean tree (no dist/) packs the way a git dependency or `npm publish` would.
  const clean = join(work, 'clean');
  for (const f of sourceFiles()) {
    if (f.startsWith('test/') || f.startsWith('bench/')) continue;
    mkdirSync(dirname(join(clean, f)), { recursive: true });
    cpSync(join(ROOT, f), join(clean, f));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(clean, 'node_modules'), 'dir');
  const packed = JSON.parse(await run('npm', ['pack', '--json', '--pack-destination', work], clean)) as { filename: string; files: { path: string }[] }[];
  tarball = join(work, packed[0]!.filename);
  tarballFiles = packed[0]!.files.map((f) => f.path);

  mkdirSync(consumer);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'idlcall-consumer', version: '1.0.0', private: true }));
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock', tarball, `@types/node@${pkg.devDependencies['@types/node']}`], consumer, 300_000);
}, 600_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the packed tarball', () => {
  it('carries the library, the command, the types and the docs; no demo, no source maps', () => {
    for (const f of ['package.json', 'README.md', 'LICENSE', 'CHANGELOG.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'examples/idl/streaming.proto', 'examples/idl/streaming.thrift']) {
      expect(tarballFiles).toContain(f);
    }
    expect(tarballFiles.filter((f) => f.startsWith('dist/demo') || f.endsWith('.map') || f.startsWith('src/') || f.startsWith('test/'))).toEqual([]);
  });

  it('ships the bundle (entry points and their chunks) and the declarations, not the unbundled modules', () => {
    const js = tarballFiles.filter((f) => f.endsWith('.js'));
    expect(js.filter((f) => !['dist/index.js', 'dist/cli/main.js', 'dist/bench/worker.js'].includes(f) && !/^dist\/chunks\/[\w-]+\.js$/.test(f))).toEqual([]);
    expect(js.length).toBeGreaterThan(3);
    expect(tarballFiles).toEqual(expect.arrayContaining(['dist/generic/index.d.ts', 'dist/codec/proto/index.d.ts']));
  });

  it('imports as ESM', async () => {
    const code = `
      import * as m from 'idlcall';
      const p = await m.protoContentProvider('syntax = "proto3"; package t; message M { int64 id = 1; }');
      const bytes = p.encodeJson('t.M', '{"id":"9007199254740993"}');
      console.log(p.decodeToJson('t.M', bytes), typeof m.newStreamingClient, typeof m.newGenericServer);`;
    expect((await run(process.execPath, ['--input-type=module', '-e', code], consumer)).trim()).toBe('{"id":"9007199254740993"} function function');
  });

  it('requires from CommonJS, with the same classes as the ESM import (instanceof holds across both)', async () => {
    const code = `
      const m = require('idlcall');
      const out = [];
      try { m.thriftContentProvider('struct S { 1: i32 a'); } catch (e) { out.push(e instanceof m.IdlError, e instanceof Error); }
      const p = m.protoContentProvider('syntax = "proto3"; message M { int32 a = 1; }');
      try { p.encodeJson('M', '{"a":"x"}'); } catch (e) { out.push(e instanceof m.CodecError); }
      import('idlcall').then((esm) => {
        out.push(esm.CodecError === m.CodecError, esm.RpcError === m.RpcError);
        out.push(new m.RpcError(m.Code.UNAVAILABLE, 'down') instanceof esm.RpcError);
        console.log(out.join(','));
      });`;
    expect((await run(process.execPath, ['-e', code], consumer)).trim()).toBe('true,true,true,true,true,true');
  });

  it('imports without @opentelemetry/api (an optional peer, not installed); otelMiddleware asks for it only when a call uses it', async () => {
    const code = `
      import * as m from 'idlcall';
      let present = true;
      try { await import('@opentelemetry/api'); } catch { present = false; }
      const handler = m.otelMiddleware()(async () => ({ stream: false, response: '{}' }));
      const call = { side: 'client', service: 's', method: 'M', shape: 'unary', transport: 'grpc', target: '', metadata: {}, deadline: undefined, stream: false, request: '{}' };
      const err = await handler(call).catch((e) => e);
      console.log(present, err instanceof m.UsageError, /npm install @opentelemetry\\/api/.test(err.message));`;
    expect((await run(process.execPath, ['--input-type=module', '-e', code], consumer)).trim()).toBe('false true true');
  });

  /**
   * Runs `script` in the consumer with a module hook that lists idlcall's files in load order;
   * the script marks its phases by importing data: URLs, which pass through the same hook (and
   * so land in the same order). The files are the bundle's: the build's metafile (next to the
   * packed dist/) says which source modules each holds, and which module a dynamic import()'s
   * file stands for (its code may sit in a chunk it shares with the command).
   */
  async function loadOrder(name: string, script: string): Promise<{ stdout: string; lines: string[]; sources: (from: number, to: number) => string[] }> {
    type Output = { inputs: Record<string, unknown>; entryPoint?: string };
    const meta = JSON.parse(readFileSync(join(work, 'clean/dist/bundle-meta.json'), 'utf8')) as { outputs: Record<string, Output> };
    const sourcesOf = (file: string): string[] => {
      const out = meta.outputs[`dist/${file}`];
      return out ? [...Object.keys(out.inputs), ...(out.entryPoint ? [out.entryPoint] : [])] : [];
    };
    writeFileSync(join(consumer, 'list-modules.mjs'), `
      export async function load(url, context, next) {
        if (url.startsWith('data:')) process.stderr.write(url.slice(url.indexOf(',') + 1) + '\\n');
        else if (url.includes('/node_modules/idlcall/dist/')) process.stderr.write(url.slice(url.indexOf('/dist/') + 6) + '\\n');
        return next(url, context);
      }`);
    writeFileSync(join(consumer, 'register-list.mjs'), "import { register } from 'node:module';\nregister('./list-modules.mjs', import.meta.url);\n");
    writeFileSync(join(consumer, name), script);
    const out = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) =>
      execFile(process.execPath, ['--import', './register-list.mjs', name], { cwd: consumer, timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve({ stdout, stderr }),
      ),
    );
    const lines = out.stderr.split('\n').filter(Boolean);
    // every file the hook saw is one the build made (so the source lists are complete)
    expect(lines.filter((f) => !f.startsWith('//') && sourcesOf(f).length === 0)).toEqual([]);
    return { stdout: out.stdout, lines, sources: (from, to) => lines.slice(from, to).flatMap(sourcesOf) };
  }

  it('a gRPC server loads no client transport, ttstream, ping-pong or reflection code until a call needs it', async () => {
    const { stdout, lines, sources } = await loadOrder('serve.mjs', `
      import * as m from 'idlcall';
      const p = m.protoContentProvider('syntax = "proto3"; package t; message M { string s = 1; } service S { rpc U (M) returns (M); }');
      const server = m.newGenericServer(m.jsonPbGeneric(p), { U: (r) => r });
      const { port } = await server.start();
      await import('data:text/javascript,//SERVING');
      const cli = m.newStreamingClient('t.S', m.jsonPbGeneric(p), { hostPorts: ['127.0.0.1:' + port] });
      const reply = await cli.genericCall('U', '{"s":"x"}');
      await import('data:text/javascript,//CALLED');
      const reflected = await m.protoReflectionProvider('127.0.0.1:' + port);
      await cli.close();
      await server.close();
      console.log(reply, reflected.methods().map((x) => x.name).join());`);
    expect(stdout.trim()).toBe('{"s":"x"} U');
    const serving = lines.indexOf('//SERVING');
    const called = lines.indexOf('//CALLED');
    expect(serving).toBeGreaterThan(0);
    expect(called).toBeGreaterThan(serving);
    const lazy = ['http2/channel.ts', 'ttheader/client.ts', 'ttstream/client.ts', 'ttstream/server.ts', 'generic/server/pingpong-dispatch.ts', 'reflection/reflection-service.ts', 'reflection/reflection-client.ts'].map((f) => `src/${f}`);
    expect(sources(0, serving).filter((f) => lazy.includes(f))).toEqual([]);
    expect(sources(0, serving)).toContain('src/http2/server.ts');
    // ...and they do load once used: the client's first call brings its HTTP/2 channel, reflection its two modules
    expect(sources(serving, called)).toContain('src/http2/channel.ts');
    expect(sources(called, lines.length)).toEqual(expect.arrayContaining(['src/reflection/reflection-service.ts', 'src/reflection/reflection-client.ts']));
    // bundled: a serving server has loaded a few dozen files, not one per source module
    expect(sources(0, serving).length).toBeGreaterThan(100);
    expect(lines.slice(0, serving).length).toBeLessThan(40);
  });

  it('a Thrift server loads the gRPC server (node:http2) only when a gRPC connection comes (a health check), and never the ping-pong client', async () => {
    const { stdout, lines, sources } = await loadOrder('serve-thrift.mjs', `
      import * as m from 'idlcall';
      import net from 'node:net';
      const p = m.thriftContentProvider('struct R { 1: string s } service S { R Echo(1: R req) }');
      const server = m.newGenericServer(m.jsonThriftGeneric(p), { Echo: (r) => r });
      const { port } = await server.start();
      await import('data:text/javascript,//SERVING');
      // A Framed TBinaryProtocol CALL Echo(seq 7, {1: {1: "y"}}) from a plain socket, as a peer's client sends it.
      const call = Buffer.from([0x80, 1, 0, 1, 0, 0, 0, 4, ...Buffer.from('Echo'), 0, 0, 0, 7, 12, 0, 1, 11, 0, 1, 0, 0, 0, 1, 0x79, 0, 0]);
      const raw = await new Promise((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => s.write(Buffer.concat([Buffer.from([0, 0, 0, call.length]), call])));
        let got = Buffer.alloc(0);
        s.on('error', reject);
        s.on('data', (d) => {
          got = Buffer.concat([got, d]);
          if (got.length >= 4 && got.length >= 4 + got.readUInt32BE(0)) s.end(() => resolve(got));
        });
      });
      await import('data:text/javascript,//SERVED');
      const cli = m.newClient('S', m.jsonThriftGeneric(p), { hostPorts: ['127.0.0.1:' + port], transport: 'framed' });
      const reply = await cli.genericCall('Echo', '{"s":"x"}');
      await cli.close();
      await import('data:text/javascript,//CALLED');
      const health = m.newStreamingClient('grpc.health.v1.Health', m.jsonPbGeneric(m.protoContentProvider(
        'syntax = "proto3"; package grpc.health.v1; message HealthCheckRequest { string service = 1; } message HealthCheckResponse { int32 status = 1; } service Health { rpc Check (HealthCheckRequest) returns (HealthCheckResponse); }')),
        { hostPorts: ['127.0.0.1:' + port] });
      const status = await health.genericCall('Check', '{}');
      await health.close();
      await server.close();
      console.log(raw[4 + 3], raw.readInt32BE(4 + 8 + 4), raw.includes(Buffer.from('y')), reply, status);`);
    // a REPLY (type 2) to call 7 carrying the echoed "y"
    expect(stdout.trim()).toBe('2 7 true {"s":"x"} {"status":1}');
    const serving = lines.indexOf('//SERVING');
    const served = lines.indexOf('//SERVED');
    const called = lines.indexOf('//CALLED');
    expect(served).toBeGreaterThan(serving);
    expect(called).toBeGreaterThan(served);
    // serving a peer's call loads the ping-pong dispatch, not the client side of the transport
    expect(sources(serving, served)).toContain('src/generic/server/pingpong-dispatch.ts');
    expect(sources(0, served)).not.toContain('src/ttheader/client.ts');
    expect(sources(0, served)).not.toContain('src/ttheader/pool.ts');
    expect(sources(served, called)).toContain('src/ttheader/client.ts');
    expect(sources(0, called)).not.toContain('src/http2/server.ts');
    expect(sources(0, called)).toContain('src/generic/server/pingpong-dispatch.ts');
    expect(sources(called, lines.length)).toContain('src/http2/server.ts');
  });

  it('`npx idlcall --version` runs the command straight after install', async () => {
    expect((await run('npx', ['--no-install', 'idlcall', '--version'], consumer)).trim()).toBe(`idlcall ${pkg.version}`);
  });

  const typedUse = `
    import { Code, CodecError, RpcError, jsonPbGeneric, newStreamingClient, otelMiddleware, protoContentProvider, type GenericClient, type Middleware } from 'idlcall';
    export const middlewares: Middleware[] = [otelMiddleware(), (next) => async (call) => next({ ...call, metadata: { ...call.metadata, a: 'b' } })];
    export async function use(): Promise<string> {
      const g = jsonPbGeneric(protoContentProvider('syntax = "proto3"; message M { int32 a = 1; }'));
      const cli: GenericClient<string, string> = newStreamingClient('svc', g, { hostPorts: ['127.0.0.1:1'], timeoutMs: 10 });
      try {
        return await cli.genericCall('Nope', '{}');
      } catch (e) {
        if (e instanceof RpcError && e.code === Code.UNAVAILABLE) return e.rawMessage;
        if (e instanceof CodecError) return e.path;
        throw e;
      } finally {
        await cli.close();
      }
    }
    // The declarations are real types, not \`any\`: this line must be an error.
    // @ts-expect-error hostPorts is a string[]
    newStreamingClient('svc', {} as never, { hostPorts: 42 });
  `;

  it('type-checks with module: nodenext (ESM and CommonJS files)', async () => {
    const dir = join(consumer, 'nodenext');
    mkdirSync(dir);
    writeFileSync(join(dir, 'esm.mts'), typedUse);
    writeFileSync(join(dir, 'cjs.cts'), `import idlcall = require('idlcall');\nexport const code: number = idlcall.Code.INTERNAL;\n${typedUse.replace(/^\s*import .*$/m, "import { Code, CodecError, RpcError, jsonPbGeneric, newStreamingClient, otelMiddleware, protoContentProvider, type GenericClient, type Middleware } from 'idlcall';")}`);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: false },
      include: ['*.mts', '*.cts'],
    }));
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], consumer);
  }, TSC_TIMEOUT);

  it('type-checks with moduleResolution: bundler', async () => {
    const dir = join(consumer, 'bundler');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.ts'), typedUse);
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', strict: true, noEmit: true, types: ['node'], skipLibCheck: false },
      include: ['*.ts'],
    }));
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], consumer);
  }, TSC_TIMEOUT);

  it('a type error in the consumer is reported (the checks above can fail)', async () => {
    const dir = join(consumer, 'broken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'app.ts'), "import { newStreamingClient } from 'idlcall';\nnewStreamingClient('svc', {} as never, { hostPorts: 42 });\n");
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', strict: true, noEmit: true, types: ['node'] },
      include: ['*.ts'],
    }));
    await expect(run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], consumer)).rejects.toThrow(/app\.ts\(2,\d+\): error TS2322/);
  }, TSC_TIMEOUT);
});
