/**
 * `idlcall call`: one call of any shape, JSON documents in, one JSON
 * document per line out as the responses arrive.
 */
import {
  DeclaredException,
  RpcError,
  newStreamingClient,
  type CallMode,
  type GenericClient,
  type Metadata,
} from '../../index.js';
import { choiceFlag, parseArgs, type FlagSpec } from '../args.js';
import { CLIENT_FLAGS, clientOptions, transportFor } from '../connect.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { metadataLines, prettyJson, rpcErrorLine } from '../format.js';
import { callHelp } from '../help.js';
import { checkHostPort, jsonGenericOf, loadIdl, parseTarget } from '../idl.js';
import { dataSource, documentsOf, readAll, type DataSource } from '../ndjson.js';

const FLAGS: readonly FlagSpec[] = [
  ...CLIENT_FLAGS,
  { name: 'format', kind: 'string' },
  { name: 'verbose', short: 'v', kind: 'boolean' },
];

/** Where the command writes: responses to stdout, diagnostics (-v, errors) to stderr. */
interface Io {
  out(text: string): void;
  err(text: string): void;
}

const io: Io = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
};

/** Runs `idlcall call …`; resolves to the exit code. */
export async function callCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'call');
  if (args.booleans.has('help')) {
    io.out(callHelp);
    return Exit.OK;
  }
  const [hostPortArg, targetArg, ...extra] = args.positionals;
  if (extra.length) throw new CliUsageError(`call: unexpected argument "${extra[0]}"; quote JSON given to -d`);
  const hostPort = checkHostPort(hostPortArg, 'call');
  if (targetArg === undefined) throw new CliUsageError('call: missing <Service/Method>; see idlcall list --idl FILE');
  const target = parseTarget(targetArg, 'call');
  const pretty = choiceFlag(args, 'format', ['json', 'pretty'] as const, 'json', 'call') === 'pretty';
  const verbose = args.booleans.has('verbose');
  const emitDefaults = args.booleans.has('emit-defaults');

  const idl = await loadIdl(args, 'call', target.service, { emitDefaults });
  const generic = jsonGenericOf(idl, { emitDefaults });
  const mode = generic.method(target.method).mode;
  const transport = transportFor(args, idl.kind, mode, 'call');
  const options = clientOptions(args, hostPort, transport, 'call');
  const source = dataSource(args.strings.get('data'));

  const print = (json: string): void => io.out((pretty ? prettyJson(json) : json) + '\n');
  const showMetadata = (title: string, md: Metadata): void => {
    if (!verbose) return;
    const lines = metadataLines(md);
    io.err(`${title}:\n${lines.length ? lines.map((l) => `  ${l}\n`).join('') : '  (none)\n'}`);
  };

  const client = newStreamingClient(generic.serviceName, generic, options);
  try {
    await callByMode(client, mode, transport === 'grpc', target.method, source, print, showMetadata);
    return Exit.OK;
  } catch (err) {
    if (err instanceof RpcError) {
      io.err(rpcErrorLine(err) + '\n');
      showMetadata('Response metadata', err.metadata);
      return Exit.RPC_BASE + err.code;
    }
    if (err instanceof DeclaredException) {
      print(err.json);
      io.err(`declared exception ${err.typeName} (throws field ${err.fieldName}, id ${err.fieldId})\n`);
      return Exit.DECLARED_EXCEPTION;
    }
    throw err;
  } finally {
    // Do not wait for a call that an error left open: close in the background.
    void client.close().catch(() => undefined);
  }
}

async function callByMode(
  client: GenericClient<string, string>,
  mode: CallMode,
  grpc: boolean,
  method: string,
  source: DataSource | undefined,
  print: (json: string) => void,
  showMetadata: (title: string, md: Metadata) => void,
): Promise<void> {
  switch (mode) {
    case 'unary':
    case 'pingpong': {
      const req = await singleDocument(source);
      if (!grpc) {
        // Ping-pong replies have headers only (TTHeader info, THeader headers), no trailers.
        let headers: Metadata | undefined;
        const res = await client.genericCall(method, req, {
          onResponseMetadata: (h) => {
            headers = h;
          },
        });
        if (res === undefined) {
          showMetadata('Response headers (a oneway call gets no reply)', {});
          return;
        }
        showMetadata('Response headers', headers ?? {});
        print(res);
        return;
      }
      let headers: Metadata = {};
      let trailers: Metadata = {};
      const res = await client.genericCall(method, req, {
        onResponseMetadata: (h, t) => {
          headers = h;
          trailers = t;
        },
      });
      showMetadata('Response headers', headers);
      print(res);
      showMetadata('Response trailers', trailers);
      return;
    }
    case 'server': {
      const stream = await client.serverStreaming(method, await singleDocument(source));
      let first = true;
      for await (const res of stream) {
        if (first) showMetadata('Response headers', await stream.headers);
        first = false;
        print(res);
      }
      if (first) showMetadata('Response headers', await stream.headers);
      showMetadata('Response trailers', await stream.trailers);
      return;
    }
    case 'client': {
      const stream = await client.clientStreaming(method);
      await sendAll(source, (req) => stream.send(req), () => stream.cancel('bad request input'));
      const res = await stream.closeAndRecv();
      showMetadata('Response headers', await stream.headers);
      print(res);
      showMetadata('Response trailers', await stream.trailers);
      return;
    }
    case 'bidirectional': {
      const stream = await client.bidiStreaming(method);
      let first = true;
      // Responses are printed while requests still flow in: two independent loops.
      const receiving = (async () => {
        for (let res = await stream.recv(); res !== undefined; res = await stream.recv()) {
          if (first) showMetadata('Response headers', await stream.headers);
          first = false;
          print(res);
        }
      })();
      const sending = sendAll(source, (req) => stream.send(req), () => stream.cancel('bad request input')).then(() => stream.close());
      // Whichever fails first decides the outcome; a receive error also stops the sending.
      sending.catch(() => undefined);
      receiving.catch(() => undefined);
      // When the server ends the call first, do not wait for stdin to end.
      await Promise.race([sending.then(() => receiving), receiving]);
      if (first) showMetadata('Response headers', await stream.headers);
      showMetadata('Response trailers', await stream.trailers);
      return;
    }
  }
}

/** The request of a one-request call: `-d` text or file or stdin; `{}` when -d is absent (as grpcurl). */
async function singleDocument(source: DataSource | undefined): Promise<string> {
  if (source === undefined) return '{}';
  const text = (await readAll(source)).trim();
  if (!text) throw new CliUsageError('call: the request is empty; give one JSON document with -d');
  return text;
}

/**
 * Sends each request document as it is read. A request that does not encode
 * cancels the call and fails with its number, so the user knows which line to fix.
 */
async function sendAll(source: DataSource | undefined, send: (req: string) => Promise<void>, cancel: () => void): Promise<void> {
  if (source === undefined) {
    await send('{}');
    return;
  }
  let n = 0;
  for await (const doc of documentsOf(source)) {
    n++;
    try {
      await send(doc);
    } catch (err) {
      if (err instanceof RpcError) throw err;
      cancel();
      throw new CliUsageError(`call: request #${n}: ${(err as Error).message}`);
    }
  }
}
