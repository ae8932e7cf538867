/**
 * `idlcall call`: one call of any shape, JSON documents in, one JSON
 * document per line out as the responses arrive.
 */
import {
  DeclaredException,
  RpcError,
  newStreamingClient,
  type CallMode,
  type CallOptions,
  type GenericClient,
  type Metadata,
} from '../../index.js';
import { isDiscoveryTarget } from '../../discovery/index.js';
import { choiceFlag, parseArgs, type FlagSpec } from '../args.js';
import { CLIENT_FLAGS, clientOptions, connectionSettings, printAttempt, printConnection, transportFor } from '../connect.js';
import { applyServiceConfig } from '../service-config.js';
import { CliUsageError, Exit, rpcExitCode } from '../exit-codes.js';
import { causeLine, metadataLines, prettyJson, rpcErrorLine, statusJson } from '../format.js';
import { callHelp } from '../help.js';
import { callTarget, jsonGenericOf, loadIdl } from '../idl.js';
import { dataSource, documentsOf, type DataSource } from '../ndjson.js';

const FLAGS: readonly FlagSpec[] = [
  ...CLIENT_FLAGS,
  { name: 'format', kind: 'string' },
  { name: 'format-error', kind: 'boolean' },
  { name: 'endpoint', kind: 'list' },
  { name: 'method', kind: 'string' },
];

/** Where the command writes: responses to stdout, diagnostics (-v, errors) to stderr. */
const out = (text: string): void => void process.stdout.write(text);
const err = (text: string): void => void process.stderr.write(text);

/** How responses and diagnostics are shown for one run. */
interface Output {
  print(json: string): void;
  /** `-v`: headers and trailers. */
  metadata(title: string, md: Metadata): void;
  /** Options every call of the run takes (`--meta-backward`). */
  readonly callOptions: CallOptions;
}

/** Runs `idlcall call …`; resolves to the exit code. */
export async function callCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'call');
  if (args.booleans.has('help')) {
    out(callHelp);
    return Exit.OK;
  }
  const { hostPorts, target } = callTarget(args, 'call');
  // grpcurl's -format names the input: json is what idlcall reads anyway, text it cannot.
  if (args.strings.get('format') === 'text') throw new CliUsageError('call: protobuf text input (--format text) is not supported; give JSON');
  const pretty = choiceFlag(args, 'format', ['json', 'pretty'] as const, 'json', 'call') === 'pretty';
  const verbose = args.booleans.has('verbose');
  const emitDefaults = args.booleans.has('emit-defaults');

  // Without --idl or --protoset, the server's reflection gives the schema (as grpcurl does).
  // Reflection asks one address; a dns: or etcd:// target needs the schema given.
  const remote = isDiscoveryTarget(hostPorts[0]!) ? undefined : { hostPort: hostPorts[0]!, options: connectionSettings(args, 'call') };
  const idl = await loadIdl(args, 'call', target.service, { emitDefaults }, remote);
  const generic = jsonGenericOf(idl, { emitDefaults });
  const mode = generic.method(target.method).mode;
  const transport = transportFor(args, idl.kind, mode, 'call');
  const options = clientOptions(args, hostPorts, transport, 'call');
  const serviceConfig = args.strings.get('service-config');
  if (serviceConfig !== undefined) applyServiceConfig(serviceConfig, generic.serviceName, options);
  if (verbose) {
    options.onConnect = printConnection;
    options.onAttempt = printAttempt;
  }
  const source = dataSource(args.strings.get('data'));

  const showMetadata = (title: string, md: Metadata): void => {
    const lines = metadataLines(md);
    err(`${title}:\n${lines.length ? lines.map((l) => `  ${l}\n`).join('') : '  (none)\n'}`);
  };
  const output: Output = {
    print: (json) => out((pretty ? prettyJson(json) : json) + '\n'),
    metadata: (title, md) => {
      if (verbose) showMetadata(title, md);
    },
    callOptions: args.booleans.has('meta-backward') ? { onBackwardMetadata: (v) => showMetadata('Backward metainfo', v) } : {},
  };

  const client = newStreamingClient(generic.serviceName, generic, options);
  try {
    await callByMode(client, mode, transport === 'grpc', target.method, source, output);
    return Exit.OK;
  } catch (e) {
    if (e instanceof RpcError) {
      if (args.booleans.has('format-error')) err(statusJson(e) + '\n');
      else {
        err(rpcErrorLine(e) + '\n');
        const cause = causeLine(e);
        if (cause) err(`  ${cause}\n`);
      }
      output.metadata('Response metadata', e.metadata);
      return rpcExitCode(e.code);
    }
    if (e instanceof DeclaredException) {
      output.print(e.json);
      err(`declared exception ${e.typeName} (throws field ${e.fieldName}, id ${e.fieldId})\n`);
      return Exit.DECLARED_EXCEPTION;
    }
    throw e;
  } finally {
    // Do not wait for a call that an error left open: close in the background.
    void client.close({ graceMs: 0 }).catch(() => undefined);
  }
}

async function callByMode(
  client: GenericClient<string, string>,
  mode: CallMode,
  grpc: boolean,
  method: string,
  source: DataSource | undefined,
  o: Output,
): Promise<void> {
  switch (mode) {
    case 'unary':
    case 'pingpong': {
      const req = await singleDocument(source, mode);
      let headers: Metadata = {};
      let trailers: Metadata = {};
      const res = await client.genericCall(method, req, {
        ...o.callOptions,
        onResponseMetadata: (h, t) => {
          headers = h;
          trailers = t;
        },
      });
      if (res === undefined) {
        o.metadata('Response headers (a oneway call gets no reply)', {});
        return;
      }
      // Ping-pong replies have headers only (TTHeader info, THeader headers), no trailers.
      o.metadata('Response headers', headers);
      o.print(res);
      if (grpc) o.metadata('Response trailers', trailers);
      return;
    }
    case 'server': {
      const stream = await client.serverStreaming(method, await singleDocument(source, mode));
      let first = true;
      for await (const res of stream) {
        if (first) o.metadata('Response headers', await stream.headers);
        first = false;
        o.print(res);
      }
      if (first) o.metadata('Response headers', await stream.headers);
      o.metadata('Response trailers', await stream.trailers);
      return;
    }
    case 'client': {
      const stream = await client.clientStreaming(method);
      await sendAll(source, (req) => stream.send(req), () => stream.cancel('bad request input'));
      const res = await stream.closeAndRecv();
      o.metadata('Response headers', await stream.headers);
      o.print(res);
      o.metadata('Response trailers', await stream.trailers);
      return;
    }
    case 'bidirectional': {
      const stream = await client.bidiStreaming(method);
      // The first failure is the one reported: a bad request line cancels the call, and the
      // receive loop's CANCELLED that follows must not hide the line's own error.
      let firstError: unknown;
      const noteFailure = (e: unknown): never => {
        firstError ??= e;
        throw e;
      };
      let first = true;
      // Responses are printed while requests still flow in: two independent loops.
      const receiving = (async () => {
        for (let res = await stream.recv(); res !== undefined; res = await stream.recv()) {
          if (first) o.metadata('Response headers', await stream.headers);
          first = false;
          o.print(res);
        }
      })().catch(noteFailure);
      const sending = sendAll(
        source,
        (req) => stream.send(req),
        (e) => {
          firstError ??= e;
          stream.cancel('bad request input');
        },
      )
        .then(() => stream.close())
        .catch(noteFailure);
      sending.catch(() => undefined);
      receiving.catch(() => undefined);
      try {
        // When the server ends the call first, do not wait for stdin to end.
        await Promise.race([sending.then(() => receiving), receiving]);
      } catch {
        throw firstError;
      }
      if (first) o.metadata('Response headers', await stream.headers);
      o.metadata('Response trailers', await stream.trailers);
      return;
    }
  }
}

/** The request of a one-request call: `-d` text, file or stdin; `{}` when -d is absent (as grpcurl). */
async function singleDocument(source: DataSource | undefined, mode: CallMode): Promise<string> {
  if (source === undefined) return '{}';
  const docs: string[] = [];
  for await (const doc of documentsOf(source)) docs.push(doc);
  if (docs.length === 0) throw new CliUsageError('call: the request is empty; give one JSON document with -d');
  if (docs.length > 1) throw new CliUsageError(`call: a ${mode === 'server' ? 'server-streaming' : mode} method takes one request; got ${docs.length}`);
  return docs[0]!;
}

/**
 * Sends each request document as it is read. A request that does not encode
 * cancels the call (`onBadInput` gets the error first) and fails with its
 * number, so the user knows which line to fix.
 */
async function sendAll(source: DataSource | undefined, send: (req: string) => Promise<void>, onBadInput: (err: CliUsageError) => void): Promise<void> {
  if (source === undefined) {
    await send('{}');
    return;
  }
  let n = 0;
  for await (const doc of documentsOf(source)) {
    n++;
    try {
      await send(doc);
    } catch (e) {
      if (e instanceof RpcError) throw e;
      const bad = new CliUsageError(`call: request #${n}: ${(e as Error).message}`);
      onBadInput(bad);
      throw bad;
    }
  }
}
