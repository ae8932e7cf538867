/** `idlcall encode`: one JSON value of a message or struct type to wire bytes. */
import { choiceFlag, parseArgs, type FlagSpec } from '../args.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { encodeHelp } from '../help.js';
import { IDL_FLAGS, loadIdl } from '../idl.js';
import { dataSource, readAll } from '../ndjson.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
  { name: 'data', short: 'd', kind: 'string' },
  { name: 'out', kind: 'string' },
  { name: 'protocol', kind: 'string' },
];

/** Runs `idlcall encode …`; resolves to the exit code. */
export async function encodeCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'encode');
  if (args.booleans.has('help')) {
    process.stdout.write(encodeHelp);
    return Exit.OK;
  }
  const [type, ...extra] = args.positionals;
  if (type === undefined) throw new CliUsageError('encode: name the TYPE to encode (a message or struct); see idlcall describe');
  if (extra.length) throw new CliUsageError(`encode: unexpected argument "${extra[0]}"; quote JSON given to -d`);
  // Binary to pipes and files, printable hex to a terminal (where raw bytes would garble it).
  const out = choiceFlag(args, 'out', ['hex', 'base64', 'raw'] as const, process.stdout.isTTY ? 'hex' : 'raw', 'encode');
  const protocol = choiceFlag(args, 'protocol', ['binary', 'compact'] as const, 'binary', 'encode');
  const idl = await loadIdl(args, 'encode');
  const json = (await readAll(dataSource(args.strings.get('data')) ?? { kind: 'stdin' })).trim();
  if (!json) throw new CliUsageError('encode: no JSON given; pass it with -d or on stdin');
  const bytes = idl.kind === 'proto' ? idl.provider.encodeJson(type, json) : idl.provider.encodeJson(type, json, { protocol });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (out === 'raw') process.stdout.write(buf);
  else process.stdout.write(buf.toString(out) + '\n');
  return Exit.OK;
}
