/** `idlcall decode`: wire bytes of a message or struct type to one JSON document. */
import { choiceFlag, parseArgs, type FlagSpec } from '../args.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { prettyJson } from '../format.js';
import { decodeHelp } from '../help.js';
import { IDL_FLAGS, loadIdl } from '../idl.js';

const FLAGS: readonly FlagSpec[] = [
  ...IDL_FLAGS,
  { name: 'data', short: 'd', kind: 'string' },
  { name: 'in', kind: 'string' },
  { name: 'protocol', kind: 'string' },
  { name: 'format', kind: 'string' },
  { name: 'emit-defaults', kind: 'boolean' },
];

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Bytes from hex (spaces, `0x` and `\x` prefixes allowed) or base64 text. */
function bytesOfText(text: string, form: 'hex' | 'base64'): Buffer {
  if (form === 'hex') {
    const clean = text.replace(/0x|\\x|[\s:,]/gi, '');
    if (clean.length % 2 || /[^0-9a-f]/i.test(clean)) throw new CliUsageError('decode: the input is not hex (pairs of 0-9a-f); use --in raw or --in base64');
    return Buffer.from(clean, 'hex');
  }
  const clean = text.replace(/\s/g, '');
  if (/[^A-Za-z0-9+/=_-]/.test(clean)) throw new CliUsageError('decode: the input is not base64; use --in raw or --in hex');
  return Buffer.from(clean, 'base64');
}

/** Runs `idlcall decode …`; resolves to the exit code. */
export async function decodeCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'decode');
  if (args.booleans.has('help')) {
    process.stdout.write(decodeHelp);
    return Exit.OK;
  }
  const [type, ...extra] = args.positionals;
  if (type === undefined) throw new CliUsageError('decode: name the TYPE to decode (a message or struct); see idlcall describe');
  if (extra.length) throw new CliUsageError(`decode: unexpected argument "${extra[0]}"`);
  const inline = args.strings.get('data');
  const form = choiceFlag(args, 'in', ['hex', 'base64', 'raw'] as const, inline !== undefined ? 'hex' : 'raw', 'decode');
  const protocol = choiceFlag(args, 'protocol', ['binary', 'compact'] as const, 'binary', 'decode');
  const pretty = choiceFlag(args, 'format', ['json', 'pretty'] as const, 'json', 'decode') === 'pretty';
  if (inline !== undefined && form === 'raw') throw new CliUsageError('decode: -d takes hex or base64 text; pipe raw bytes on stdin instead');
  const idl = await loadIdl(args, 'decode');
  const input = inline !== undefined ? Buffer.from(inline) : await readStdin();
  const bytes = form === 'raw' ? input : bytesOfText(input.toString('latin1'), form);
  const u8 = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const json =
    idl.kind === 'proto'
      ? idl.provider.decodeToJson(type, u8, { emitDefaults: args.booleans.has('emit-defaults') })
      : idl.provider.decodeToJson(type, u8, { protocol });
  process.stdout.write((pretty ? prettyJson(json) : json) + '\n');
  return Exit.OK;
}
