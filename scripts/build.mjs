// `npm run build`: dist/ from src/ in two steps.
//
// 1. tsc (tsconfig.build.json) emits one .js and one .d.ts per source module. The .d.ts files are
//    the package's types; the .js tree serves the demo, the benchmarks and the tests that load an
//    internal module (dist/ttheader/index.js, …). It is not shipped (package.json "files").
// 2. esbuild bundles the package's entry points over that tree: dist/index.js (the library),
//    dist/cli/main.js (the command) and dist/bench/worker.js (the command's load workers), with
//    the code they share in dist/chunks/. Code splitting keeps every dynamic `import()` of the
//    source (what a server or client loads on first use) a chunk of its own, loaded when used.
//
// Why a bundle: a process pays for each ES module it loads (its source text, functions and the
// loader's records, ~15 KB for an empty one) in young-generation survivors, and V8 doubles a
// semi-space whenever those exceed its size. A few dozen files instead of ~200 modules, without
// comments and blanks (less source text kept alive), let a server start one doubling lower
// (README, "Peak RSS"). Identifiers are not renamed: stack traces name the functions as written
// (renaming saved no memory measurably, and esbuild's keepNames would wrap every closure made
// on a hot path in a call that sets its name).
import { rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

rmSync(join(ROOT, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: {
    index: 'src/index.ts',
    'cli/main': 'src/cli/main.ts',
    // src/cli/commands/bench.ts starts workers at new URL('../bench/worker.js', import.meta.url):
    // from dist/cli/ or dist/chunks/ (wherever its code lands) that is dist/bench/worker.js.
    'bench/worker': 'src/cli/bench/worker.ts',
  },
  outdir: 'dist',
  allowOverwrite: true, // over tsc's unbundled index.js and cli/main.js
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external', // long, fflate, @opentelemetry/api stay imports, resolved at run time
  chunkNames: 'chunks/[name]-[hash]',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
});
// Which source modules each output file holds (test/package reads it to check lazy loading).
writeFileSync(join(ROOT, 'dist/bundle-meta.json'), JSON.stringify(result.metafile));
