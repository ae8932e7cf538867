/**
 * The other tools' spellings that idlcall accepts: grpcurl's and
 * kitexcall's Go-style flags, ghz's flags, with the meaning each has there.
 * One table: the parser reads it (args.ts) and `--help` and the README print
 * it, so what is accepted and what is documented cannot drift apart. A new
 * spelling is one line here.
 *
 * Where the tools disagree, the command decides: `call`, `list` and
 * `describe` follow grpcurl and kitexcall, `bench` follows ghz; and where
 * the values cannot be confused (`-t 2s`, `-t thrift`, `-t framed`) the
 * value decides.
 */

/** The tools whose users' habits are honoured. */
export type Tool = 'grpcurl' | 'ghz' | 'kitexcall' | 'idlcall';

/** One accepted spelling. */
export interface FlagAlias {
  /** As typed, without dashes: one letter for `-x`, a word for `-word` or `--word`. */
  readonly spelling: string;
  /** Whose users type it. */
  readonly tools: readonly Tool[];
  /** Commands it applies to (undefined: every command that has the flag it stands for). */
  readonly commands: readonly string[] | undefined;
  /** `boolean` takes no value; `string` takes one. */
  readonly kind: 'boolean' | 'string';
  /** idlcall flags it may stand for (several when the value decides; none when it is accepted and ignored). */
  readonly targets: readonly string[];
  /** What idlcall makes of it, for the table. */
  readonly means: string;
  /** Where the meaning differs between the tools (or from idlcall's own flag), for the table. */
  readonly differs: string | undefined;
  /** The idlcall flag and values it stands for, given its value (undefined for booleans). Flag '' = ignored. */
  resolve(value: string | undefined): readonly [flag: string, values: readonly string[]];
}

interface AliasInit {
  tools: readonly Tool[];
  commands?: readonly string[];
  differs?: string;
}

const ALL_COMMANDS = undefined;

/** `spelling` is another name for `flag`, value unchanged. */
function same(spelling: string, flag: string, kind: 'boolean' | 'string', init: AliasInit): FlagAlias {
  return {
    spelling,
    tools: init.tools,
    commands: init.commands ?? ALL_COMMANDS,
    kind,
    targets: [flag],
    means: `--${flag}`,
    differs: init.differs,
    resolve: (v) => [flag, v === undefined ? [] : [v]],
  };
}

/** `spelling` stands for `flag` with its value rewritten. */
function mapped(spelling: string, flag: string, means: string, map: (v: string) => readonly string[], init: AliasInit): FlagAlias {
  return {
    spelling,
    tools: init.tools,
    commands: init.commands ?? ALL_COMMANDS,
    kind: 'string',
    targets: [flag],
    means,
    differs: init.differs,
    resolve: (v) => [flag, map(v ?? '')],
  };
}

/** A boolean `spelling` that sets the value flag `flag` to `value` (ghz `-e` = `--compress gzip`). */
function sets(spelling: string, flag: string, value: string, init: AliasInit): FlagAlias {
  return {
    spelling,
    tools: init.tools,
    commands: init.commands ?? ALL_COMMANDS,
    kind: 'boolean',
    targets: [flag],
    means: `--${flag} ${value}`,
    differs: init.differs,
    resolve: () => [flag, [value]],
  };
}

/** A boolean accepted for habit's sake that changes nothing (what it asks for is what idlcall does anyway). */
function ignored(spelling: string, why: string, init: AliasInit): FlagAlias {
  return {
    spelling,
    tools: init.tools,
    commands: init.commands ?? ['call'],
    kind: 'boolean',
    targets: [],
    means: `accepted, no effect: ${why}`,
    differs: init.differs,
    resolve: () => ['', []],
  };
}

/** Comma-separated lists (ghz `--import-paths a,b`). */
const commaList = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
/** Seconds as a number (grpcurl `-max-time 1.5`): idlcall durations take a bare number as seconds. */
const seconds = (v: string): string[] => [v];

/** Words kitexcall's `-type` takes, as idlcall's `--type` takes them. */
export const IDL_TYPE_WORDS = ['thrift', 'protobuf', 'proto'] as const;

/** True for text that reads as a duration (`2s`, `500ms`, `1.5`), not a transport or IDL type name. */
export function looksLikeDuration(v: string): boolean {
  return /^\d+(\.\d+)?(ms|s|m|h)?$/.test(v.trim());
}

/** `-t`: a transport for idlcall, an IDL type for kitexcall, a timeout for ghz; the value says which. */
const T: FlagAlias = {
  spelling: 't',
  tools: ['idlcall', 'kitexcall', 'ghz'],
  commands: ALL_COMMANDS,
  kind: 'string',
  targets: ['transport', 'type', 'timeout'],
  means: '--timeout for a duration (ghz: -t 20s), --type for thrift|protobuf (kitexcall), else --transport',
  differs: 'ghz: timeout; kitexcall: IDL type; idlcall: transport — the value tells them apart',
  resolve: (v = '') => {
    if (looksLikeDuration(v)) return ['timeout', [v]];
    if ((IDL_TYPE_WORDS as readonly string[]).includes(v.toLowerCase())) return ['type', [v]];
    return ['transport', [v]];
  },
};

/**
 * Every spelling idlcall accepts besides its own flags (`idlcall <command> --help` lists those).
 * Rows whose `differs` is set are the habits that mean different things in different tools.
 */
export const ALIASES: readonly FlagAlias[] = [
  same('proto', 'idl', 'string', { tools: ['grpcurl', 'ghz'] }),
  same('idl-path', 'idl', 'string', { tools: ['kitexcall'] }),
  same('p', 'idl', 'string', { tools: ['kitexcall'] }),
  mapped('import-paths', 'import-path', '--import-path, once per comma-separated directory', commaList, { tools: ['ghz'] }),
  mapped('i', 'import-path', '--import-path, once per comma-separated directory', commaList, { tools: ['ghz'] }),
  same('include-path', 'import-path', 'string', { tools: ['kitexcall'] }),
  T,
  same('rpc-header', 'header', 'string', { tools: ['grpcurl'] }),
  mapped('max-time', 'timeout', '--timeout (seconds)', seconds, { tools: ['grpcurl'] }),
  mapped('keepalive-time', 'keepalive', '--keepalive (seconds)', seconds, { tools: ['grpcurl'] }),
  same('max-msg-sz', 'max-msg-size', 'string', { tools: ['grpcurl'] }),
  same('max-recv-message-size', 'max-msg-size', 'string', { tools: ['ghz'] }),
  same('cname', 'servername', 'string', { tools: ['ghz'] }),
  same('vv', 'verbose', 'boolean', { tools: ['grpcurl'] }),
  // kitexcall's call shape: endpoint and method as flags (-endpoint, -method are idlcall's own), data from a file.
  same('e', 'endpoint', 'string', {
    tools: ['kitexcall'],
    commands: ['call'],
    differs: 'kitexcall -e HOST:PORT is the endpoint (call); ghz -e turns on gzip (bench)',
  }),
  same('m', 'method', 'string', {
    tools: ['kitexcall'],
    commands: ['call'],
    differs: 'kitexcall -m is the method (call); ghz -m is request metadata as JSON (bench)',
  }),
  mapped('file', 'data', '-d @FILE', (v) => [`@${v}`], { tools: ['kitexcall'], commands: ['call'] }),
  mapped('f', 'data', '-d @FILE', (v) => [`@${v}`], { tools: ['kitexcall'], commands: ['call'] }),
  ignored('biz-error', 'Kitex business errors are always reported (exit 64 + their code)', { tools: ['kitexcall'] }),
  ignored('quiet', 'only the responses go to stdout anyway', { tools: ['kitexcall'] }),
  ignored('streaming', 'the streaming mode comes from the IDL', { tools: ['kitexcall'] }),
  // ghz's flags, for bench.
  same('call', 'method', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('m', 'metadata', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('M', 'metadata-file', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('D', 'data-file', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('O', 'format', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('o', 'output', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('r', 'rps', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('x', 'max-duration', 'string', { tools: ['ghz'], commands: ['bench'] }),
  same('skipFirst', 'skip-first', 'string', { tools: ['ghz'], commands: ['bench'] }),
  sets('enable-compression', 'compress', 'gzip', { tools: ['ghz'], commands: ['bench'] }),
  sets('e', 'compress', 'gzip', { tools: ['ghz'], commands: ['bench'] }),
  same('insecure', 'plaintext', 'boolean', {
    tools: ['ghz'],
    commands: ['bench'],
    differs: 'ghz --insecure means plaintext (bench); grpcurl -insecure means TLS without verifying the server (call)',
  }),
  same('skipTLS', 'insecure', 'boolean', { tools: ['ghz'], commands: ['bench'] }),
];

/** The aliases that apply to `command`. */
export function aliasesFor(command: string): FlagAlias[] {
  return ALIASES.filter((a) => a.commands === undefined || a.commands.includes(command));
}

/** How the table shows a spelling: `-x` for letters, `--word` for ghz, `-word` for the Go tools. */
function shown(a: FlagAlias): string {
  if (a.spelling.length === 1) return `-${a.spelling}`;
  return a.tools.includes('ghz') && !a.tools.includes('grpcurl') ? `--${a.spelling}` : `-${a.spelling}`;
}

/**
 * Rows that are not aliases but habits all the same: values and conventions the
 * commands accept as the other tools do, or handle differently on purpose.
 */
const HABITS: ReadonlyArray<readonly [spelling: string, tools: string, means: string, differs?: string]> = [
  ['-d @', 'grpcurl, ghz', 'requests from stdin (also -d @-)'],
  ['-d \'[{…},{…}]\'', 'ghz', 'several requests: the stream\'s messages; for unary calls bench uses them round-robin'],
  ['-d \'{…}{…}\'', 'grpcurl', 'concatenated (or newline-delimited) objects: one request each'],
  ['-transport TTHeader|TTHeaderFramed|Framed|Buffered|GRPC', 'kitexcall', 'ttheader, ttheader, framed, buffered, grpc (any case)'],
  ['-plaintext', 'grpcurl', 'plaintext HTTP/2: idlcall\'s default', 'grpcurl and ghz default to TLS; idlcall (like kitexcall) to plaintext: say --tls'],
  ['-insecure', 'grpcurl', 'TLS without verifying the server (call; in bench it is ghz\'s plaintext)', 'see --insecure above'],
  ['-format json', 'grpcurl', 'accepted; --format text (protobuf text input) is not', 'idlcall call --format picks the output: json or pretty'],
  ['-v', 'ghz', 'verbose (the connection story)', 'ghz -v prints its version'],
  ['-meta K=V, -meta-persistent K=V, -meta-backward', 'kitexcall', 'Kitex metainfo: transient, persistent, print the backward values'],
  ['-format-error, -emit-defaults, -authority, -servername, -connect-timeout', 'grpcurl', 'the same'],
  ['-c, -n, -z, --connections, --cpus, --count-errors, --name, --connect-timeout, --keepalive', 'ghz', 'the same'],
];

/** The table of accepted spellings, for `idlcall --help` (and the README). */
export function aliasTable(): string {
  const rows: Array<[string, string, string]> = [];
  for (const a of ALIASES) {
    const where = a.commands ? ` (${a.commands.join(', ')})` : '';
    rows.push([`${shown(a)}${a.kind === 'string' ? ' V' : ''}`, a.tools.filter((t) => t !== 'idlcall').join(', ') || 'idlcall', `${a.means}${where}`]);
  }
  for (const [spelling, tools, means] of HABITS) rows.push([spelling, tools, means]);
  const w0 = Math.min(26, Math.max(...rows.map((r) => r[0].length)));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  const lines = rows.map(([s, t, m]) => `  ${s.length > w0 ? `${s}\n  ${' '.repeat(w0)}` : s.padEnd(w0)}  ${t.padEnd(w1)}  ${m}`);
  const differ = [
    ...ALIASES.filter((a) => a.differs).map((a) => [shown(a), a.differs!] as const),
    ...HABITS.filter((h) => h[3] && !h[3].startsWith('see ')).map((h) => [h[0], h[3]!] as const),
  ];
  return [
    'Other tools\' spellings, accepted with their meaning there:',
    ...lines,
    '',
    'Where the tools disagree:',
    ...differ.map(([s, d]) => `  ${s.padEnd(12)}  ${d}`),
    '',
  ].join('\n');
}
