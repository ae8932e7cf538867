#!/usr/bin/env node
/**
 * The `idlcall` command: call, list, describe, encode, decode, serve, bench
 * and health. Each command resolves to its exit code; errors meant for the user
 * become one line on stderr and exit code 1 (or 64 + gRPC code for RPC
 * errors), anything else is a bug and keeps its stack trace.
 */
import { benchCommand } from './commands/bench.js';
import { callCommand } from './commands/call.js';
import { decodeCommand } from './commands/decode.js';
import { describeCommand } from './commands/describe.js';
import { encodeCommand } from './commands/encode.js';
import { healthCommand } from './commands/health.js';
import { listCommand } from './commands/list.js';
import { serveCommand } from './commands/serve.js';
import { closestName } from '../generic/suggest.js';
import { RpcError } from '../index.js';
import { Exit, exitCodeOf, isExpectedError } from './exit-codes.js';
import { causeLine, rpcErrorLine } from './format.js';
import { mainHelp } from './help.js';
import { readFileSync } from 'node:fs';

/** The version in package.json (two folders up from this file, in the source tree and in dist/ alike). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const COMMANDS: Record<string, (argv: readonly string[]) => Promise<number>> = {
  call: callCommand,
  list: listCommand,
  describe: describeCommand,
  encode: encodeCommand,
  decode: decodeCommand,
  serve: serveCommand,
  bench: benchCommand,
  health: healthCommand,
};

async function run(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    if (topic !== undefined && COMMANDS[topic]) return COMMANDS[topic]!(['--help']);
    process.stdout.write(mainHelp);
    return name === undefined ? Exit.USAGE : Exit.OK;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`idlcall ${packageVersion()}\n`);
    return Exit.OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    const near = closestName(name, Object.keys(COMMANDS));
    process.stderr.write(
      `idlcall: unknown command "${name}"${near ? ` (did you mean "${near}"?)` : ''}; commands: ${Object.keys(COMMANDS).join(', ')} (see idlcall --help)\n`,
    );
    return Exit.USAGE;
  }
  try {
    return await command(rest);
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    const message = (err as Error).message;
    // CLI messages already name their command; library ones (IDL, codec, usage) do not.
    const text = err instanceof RpcError ? rpcErrorLine(err) : message.startsWith(`${name}: `) ? `idlcall ${message}` : `idlcall ${name}: ${message}`;
    process.stderr.write(text.split('\n')[0] + '\n');
    const cause = err instanceof RpcError ? causeLine(err) : undefined;
    if (cause) process.stderr.write(`  ${cause}\n`);
    return exitCodeOf(err);
  }
}

// A reader that went away (`idlcall call … | head -1`) is not an error worth a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? Exit.OK : Exit.USAGE));

// Exit explicitly: stdin may still be open (a stream the server ended early) and would keep
// the process alive. Wait for stdout to take everything first.
run(process.argv.slice(2)).then(
  (code) => {
    process.stdout.write('', () => process.exit(code));
  },
  (err: unknown) => {
    process.stderr.write(`idlcall: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(Exit.USAGE);
  },
);
