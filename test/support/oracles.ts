/**
 * The one place that knows which outside programs (test oracles) the suites use, where Debian
 * puts them, and whether this machine has them.
 *
 * A suite asks `oracles('protoc', 'wkt')` at module level and skips itself when that is false.
 * Outside CI a missing oracle prints one line naming the Debian package to install; under
 * `IDLCALL_REQUIRE_ORACLES=1` (set by `.ci/run`) a missing oracle throws, so the run fails
 * instead of quietly testing less.
 *
 * Every absolute path a test uses lives here: these are the paths Debian's packages install to,
 * not paths of one machine.
 */
import { spawnSync } from 'node:child_process';
import { describe, it } from 'vitest';
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The Debian python3 that python3-grpcio, python3-grpc-tools and python3-thrift install into. */
export const PYTHON = '/usr/bin/python3';
/** Where libprotobuf-dev installs the well-known `.proto` files (as `google/protobuf/*.proto`). */
export const PROTO_INCLUDE = '/usr/include';
/** The Thrift tutorial IDLs that thrift-compiler ships. */
export const THRIFT_EXAMPLES = '/usr/share/doc/thrift-compiler/examples';
/** Debian's GOPATH root for golang-*-dev source packages. */
export const GO_DEBIAN_GOPATH = '/usr/share/gocode';
/** Debian's Chromium (package chromium), for headless browser tests through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';

interface OracleSpec {
  /** The Debian package that provides it. */
  pkg: string;
  /** Whether it is present on this machine. */
  present: () => boolean;
}

function onPath(cmd: string): boolean {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

function pythonImports(module: string): boolean {
  if (!existsSync(PYTHON)) return false;
  return spawnSync(PYTHON, ['-c', `import ${module}`], { stdio: 'ignore', timeout: 20_000 }).status === 0;
}

const SPECS = {
  /** protoc, the protobuf compiler. */
  protoc: { pkg: 'protobuf-compiler', present: () => onPath('protoc') },
  /** The well-known `.proto` files (descriptor.proto, timestamp.proto…) under /usr/include. */
  wkt: { pkg: 'libprotobuf-dev', present: () => existsSync(join(PROTO_INCLUDE, 'google/protobuf/descriptor.proto')) },
  /** The Apache Thrift compiler and its tutorial IDLs. */
  thrift: { pkg: 'thrift-compiler', present: () => onPath('thrift') && existsSync(THRIFT_EXAMPLES) },
  /** Apache Thrift's Python library. */
  'python-thrift': { pkg: 'python3-thrift', present: () => pythonImports('thrift') },
  /** grpc-python. */
  'python-grpc': { pkg: 'python3-grpcio', present: () => pythonImports('grpc') },
  /** grpc_tools (protoc as a Python module, for generated stubs). */
  'python-grpc-tools': { pkg: 'python3-grpc-tools', present: () => pythonImports('grpc_tools') },
  /** The Go toolchain. */
  go: { pkg: 'golang-go', present: () => onPath('go') },
  /** grpc-go's sources for GOPATH builds (with its reflection and health packages). */
  'go-grpc': {
    pkg: 'golang-google-grpc-dev',
    present: () => existsSync(join(GO_DEBIAN_GOPATH, 'src/google.golang.org/grpc/reflection')),
  },
  /** The etcd server. */
  etcd: { pkg: 'etcd-server', present: () => onPath('etcd') },
  /** etcdctl. */
  etcdctl: { pkg: 'etcd-client', present: () => onPath('etcdctl') },
  /** h2load, nghttp2's HTTP/2 load generator. */
  h2load: { pkg: 'nghttp2-client', present: () => onPath('h2load') },
  /** Headless Chromium. */
  chromium: { pkg: 'chromium', present: () => existsSync(CHROMIUM) },
} satisfies Record<string, OracleSpec>;

/** The name of one outside program a suite can need. */
export type OracleName = keyof typeof SPECS;

/** Every oracle the suites know, with its Debian package. */
export const ORACLE_PACKAGES: Readonly<Record<OracleName, string>> = Object.fromEntries(
  Object.entries(SPECS).map(([name, spec]) => [name, spec.pkg]),
) as Record<OracleName, string>;

// Checks cost a process spawn (python imports), so the answers are kept per process and, when
// the global setup has already asked, passed down through the environment.
const ENV_KEY = 'IDLCALL_ORACLES_PRESENT';
const known = new Map<OracleName, boolean>();
{
  const inherited = process.env[ENV_KEY];
  if (inherited !== undefined) {
    const present = new Set(inherited.split(',').filter(Boolean));
    for (const name of Object.keys(SPECS) as OracleName[]) known.set(name, present.has(name));
  }
}

/** Whether one oracle is present on this machine (cached). */
export function hasOracle(name: OracleName): boolean {
  let v = known.get(name);
  if (v === undefined) {
    v = SPECS[name].present();
    known.set(name, v);
  }
  return v;
}

/** The Debian packages of the oracles in `names` that are missing, in order, without repeats. */
export function missingPackages(names: readonly OracleName[]): string[] {
  const out: string[] = [];
  for (const n of names) if (!hasOracle(n) && !out.includes(SPECS[n].pkg)) out.push(SPECS[n].pkg);
  return out;
}

/** Whether CI asked for every oracle to be present (`IDLCALL_REQUIRE_ORACLES=1`). */
export function oraclesRequired(): boolean {
  const v = process.env.IDLCALL_REQUIRE_ORACLES;
  return v !== undefined && v !== '' && v !== '0';
}

/** The one-line skip notice for missing packages. */
export function skipLine(pkgs: readonly string[], what?: string): string {
  const list = pkgs.join(' ');
  return `skipped${what ? ` ${what}` : ''}: needs ${list} — apt-get install ${list}, or run .ci/run`;
}

/**
 * Whether every oracle in `names` is present. When one is missing it prints one line naming the
 * Debian packages and returns false (the caller skips), or, under `IDLCALL_REQUIRE_ORACLES=1`,
 * throws so the suite fails.
 *
 * ```ts
 * const ready = oracles('protoc', 'wkt');
 * describe.skipIf(!ready)('parity with protoc', () => { … });
 * ```
 */
export function oracles(...names: OracleName[]): boolean {
  const pkgs = missingPackages(names);
  if (pkgs.length === 0) return true;
  const where = callerFile();
  if (oraclesRequired()) {
    throw new Error(`${where}: IDLCALL_REQUIRE_ORACLES=1 but ${pkgs.join(', ')} ${pkgs.length > 1 ? 'are' : 'is'} missing — apt-get install ${pkgs.join(' ')}`);
  }
  process.stderr.write(`${skipLine(pkgs, where)}\n`);
  return false;
}

/**
 * `describe(title, body)` when every oracle in `names` is present. Otherwise (outside CI) a
 * skipped suite whose body never runs, since the body would call the missing programs while
 * vitest collects it.
 */
export function describeNeeding(names: readonly OracleName[], title: string, body: () => void | Promise<void>): void {
  if (oracles(...names)) {
    describe(title, body);
    return;
  }
  describe.skip(title, () => {
    it(`needs ${missingPackages(names).join(', ')}`, () => undefined);
  });
}

/** The test file that asked, relative to the repository, for the skip line. */
function callerFile(): string {
  const stack = new Error().stack?.split('\n') ?? [];
  for (const line of stack.slice(1)) {
    const m = /(test\/[^\s:()]+\.test\.ts)/.exec(line.replaceAll('\\', '/'));
    if (m) return m[1]!;
  }
  return '';
}

/** Checks every oracle once; the global setup passes the answers down to the test processes. */
export function surveyOracles(): { present: OracleName[]; missing: OracleName[] } {
  const present: OracleName[] = [];
  const missing: OracleName[] = [];
  for (const name of Object.keys(SPECS) as OracleName[]) (hasOracle(name) ? present : missing).push(name);
  process.env[ENV_KEY] = present.join(',');
  return { present, missing };
}
