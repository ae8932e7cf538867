/**
 * `idlcall bench`: a load generator in the manner of ghz, for every call
 * mode and transport. `concurrency` workers loop over calls made through
 * the JSON generic (encoding included, as a real caller pays it), spread
 * over `connections` separate clients. The loop allocates as little as it
 * can: one shared options object, no closures or timers per call.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeclaredException,
  RpcError,
  codeName,
  newStreamingClient,
  type CallMode,
  type CallOptions,
  type GenericClient,
} from '../../index.js';
import { intFlag, parseArgs, type FlagSpec } from '../args.js';
import { CLIENT_FLAGS, clientOptions, transportFor, type TransportName } from '../connect.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { ms, num, parseDuration } from '../format.js';
import { benchHelp } from '../help.js';
import { LatencyHistogram } from '../histogram.js';
import { checkHostPort, jsonGenericOf, loadIdl, parseTarget } from '../idl.js';
import { dataSource, readAll } from '../ndjson.js';

const FLAGS: readonly FlagSpec[] = [
  ...CLIENT_FLAGS,
  { name: 'concurrency', short: 'c', kind: 'string' },
  { name: 'connections', kind: 'string' },
  { name: 'total', short: 'n', kind: 'string' },
  { name: 'duration', short: 'z', kind: 'string' },
  { name: 'rps', kind: 'string' },
  { name: 'stream-messages', kind: 'string' },
  { name: 'json', kind: 'boolean' },
];

/** Distinct error messages kept in the summary; the rest are counted together. */
const MAX_ERROR_KINDS = 20;

/** What one run is asked to do. */
interface Plan {
  readonly method: string;
  readonly mode: CallMode;
  readonly request: string;
  readonly streamMessages: number;
  readonly callOptions: CallOptions;
  /** Calls to make, or undefined when the run is timed. */
  readonly total: number | undefined;
  readonly durationMs: number | undefined;
  /** Minimum ms between call starts (from --rps), 0 for none. */
  readonly intervalMs: number;
}

/** Counters of a run; one instance, shared by the workers (one thread, no locks). */
class Stats {
  readonly latency = new LatencyHistogram();
  started = 0;
  finished = 0;
  ok = 0;
  messagesSent = 0;
  messagesReceived = 0;
  readonly codes = new Map<string, number>();
  readonly errors = new Map<string, number>();

  fail(err: unknown): void {
    let code: string;
    let message: string;
    if (err instanceof RpcError) {
      code = codeName(err.code);
      message = `${code}: ${err.rawMessage}`;
    } else if (err instanceof DeclaredException) {
      code = 'DECLARED_EXCEPTION';
      message = `declared exception ${err.typeName}`;
    } else {
      code = 'CLIENT_ERROR';
      message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (message.length > 200) message = message.slice(0, 200) + '…';
    if (!this.errors.has(message) && this.errors.size >= MAX_ERROR_KINDS) message = '(other errors)';
    this.errors.set(message, (this.errors.get(message) ?? 0) + 1);
  }
}

/** One call of the plan's mode; resolves when it completed, rejects with its error. */
async function oneCall(client: GenericClient<string, string>, plan: Plan, stats: Stats): Promise<void> {
  const { method, request, callOptions, streamMessages } = plan;
  switch (plan.mode) {
    case 'unary':
    case 'pingpong':
      await client.genericCall(method, request, callOptions);
      return;
    case 'server': {
      stats.messagesSent++;
      const stream = await client.serverStreaming(method, request, callOptions);
      while ((await stream.recv()) !== undefined) stats.messagesReceived++;
      return;
    }
    case 'client': {
      const stream = await client.clientStreaming(method, callOptions);
      for (let i = 0; i < streamMessages; i++) {
        await stream.send(request);
        stats.messagesSent++;
      }
      await stream.closeAndRecv();
      stats.messagesReceived++;
      return;
    }
    case 'bidirectional': {
      const stream = await client.bidiStreaming(method, callOptions);
      const receiving = (async () => {
        while ((await stream.recv()) !== undefined) stats.messagesReceived++;
      })();
      try {
        for (let i = 0; i < streamMessages; i++) {
          await stream.send(request);
          stats.messagesSent++;
        }
        stream.close();
      } catch (err) {
        receiving.catch(() => undefined); // the send error is the one reported
        throw err;
      }
      await receiving;
      return;
    }
  }
}

/** A worker: takes call tickets until the run is over. */
async function worker(client: GenericClient<string, string>, plan: Plan, stats: Stats, startedAt: number): Promise<void> {
  const { total, intervalMs, method, request, callOptions } = plan;
  const unary = plan.mode === 'unary' || plan.mode === 'pingpong';
  const deadline = plan.durationMs === undefined ? Infinity : startedAt + plan.durationMs;
  for (;;) {
    if (total !== undefined ? stats.started >= total : performance.now() >= deadline) return;
    const ticket = stats.started++;
    if (intervalMs > 0) {
      // Call starts are paced on a global schedule, not per worker.
      const wait = startedAt + ticket * intervalMs - performance.now();
      if (wait > 0) await sleep(wait);
    }
    const t0 = performance.now();
    try {
      // The unary path inline: no extra async frame per call.
      if (unary) await client.genericCall(method, request, callOptions);
      else await oneCall(client, plan, stats);
      stats.ok++;
    } catch (err) {
      stats.fail(err);
    }
    stats.latency.record(performance.now() - t0);
    stats.finished++;
  }
}

/** The JSON summary (`--json`); the text summary shows the same numbers. */
export interface BenchSummary {
  target: string;
  method: string;
  mode: CallMode;
  transport: TransportName;
  concurrency: number;
  connections: number;
  /** Calls made (each counted once, whatever its outcome). */
  total: number;
  ok: number;
  errors: number;
  durationMs: number;
  callsPerSec: number;
  messages: { sent: number; received: number; perSec: number };
  latencyMs: { min: number; mean: number; p50: number; p90: number; p99: number; p999: number; max: number };
  /** Calls by status: OK, gRPC code names, DECLARED_EXCEPTION, CLIENT_ERROR. */
  statusCodes: Record<string, number>;
  /** Distinct error messages with their counts. */
  errorMessages: Record<string, number>;
  /** CPU time of this process during the run; percent is of one core (100 = one core busy). */
  cpu: { userMs: number; systemMs: number; percent: number };
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits;

/** Runs `idlcall bench …`; resolves to the exit code. */
export async function benchCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'bench');
  if (args.booleans.has('help')) {
    process.stdout.write(benchHelp);
    return Exit.OK;
  }
  const [hostPortArg, targetArg, ...extra] = args.positionals;
  if (extra.length) throw new CliUsageError(`bench: unexpected argument "${extra[0]}"; quote JSON given to -d`);
  const hostPort = checkHostPort(hostPortArg, 'bench');
  if (targetArg === undefined) throw new CliUsageError('bench: missing <Service/Method>; see idlcall list --idl FILE');
  const target = parseTarget(targetArg, 'bench');
  const concurrency = intFlag(args, 'concurrency', 50, 'bench');
  const connections = intFlag(args, 'connections', 1, 'bench');
  const rps = intFlag(args, 'rps', 0, 'bench', 0);
  const streamMessages = intFlag(args, 'stream-messages', 10, 'bench');
  const durationText = args.strings.get('duration');
  if (durationText !== undefined && args.strings.has('total')) throw new CliUsageError('bench: give --total or --duration, not both');
  const durationMs = durationText !== undefined ? parseDuration(durationText, '--duration') : undefined;
  const total = durationMs === undefined ? intFlag(args, 'total', 200, 'bench') : undefined;
  const json = args.booleans.has('json');
  const emitDefaults = args.booleans.has('emit-defaults');

  const idl = await loadIdl(args, 'bench', target.service, { emitDefaults });
  const generic = jsonGenericOf(idl, { emitDefaults });
  const codec = generic.method(target.method);
  const transport = transportFor(args, idl.kind, codec.mode, 'bench');
  const source = dataSource(args.strings.get('data'));
  const request = source === undefined ? '{}' : (await readAll(source)).trim();
  if (!request) throw new CliUsageError('bench: the request is empty; give one JSON document with -d');
  // Check the request once up front, so a typo fails fast instead of as N errors.
  codec.encodeRequest(request);

  const options = clientOptions(args, hostPort, transport, 'bench');
  // Ping-pong connections carry one request at a time: give each client enough of them.
  if (transport !== 'grpc') options.maxConnectionsPerHost = Math.ceil(concurrency / connections);
  const clients = Array.from({ length: connections }, () => newStreamingClient(generic.serviceName, generic, options));
  const callOptions: CallOptions = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  const plan: Plan = {
    method: target.method,
    mode: codec.mode,
    request,
    streamMessages,
    callOptions,
    total,
    durationMs,
    intervalMs: rps > 0 ? 1000 / rps : 0,
  };

  const stats = new Stats();
  const progress = !json && process.stderr.isTTY ? startProgress(stats, total, durationMs) : undefined;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const workers: Promise<void>[] = [];
  for (let i = 0; i < concurrency; i++) workers.push(worker(clients[i % connections]!, plan, stats, t0));
  await Promise.all(workers);
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  progress?.stop();
  await Promise.all(clients.map((c) => c.close()));

  if (plan.mode === 'unary' || plan.mode === 'pingpong') {
    // One request and one response per call, counted here rather than in the loop.
    stats.messagesSent = stats.finished;
    stats.messagesReceived = stats.ok;
  }
  if (stats.ok) stats.codes.set('OK', stats.ok);
  const h = stats.latency;
  const seconds = elapsed / 1000;
  const summary: BenchSummary = {
    target: hostPort,
    method: `${generic.serviceName}/${target.method}`,
    mode: codec.mode,
    transport,
    concurrency,
    connections,
    total: stats.finished,
    ok: stats.ok,
    errors: stats.finished - stats.ok,
    durationMs: round(elapsed),
    callsPerSec: round(stats.finished / seconds, 1),
    messages: {
      sent: stats.messagesSent,
      received: stats.messagesReceived,
      perSec: round((stats.messagesSent + stats.messagesReceived) / seconds, 1),
    },
    latencyMs: {
      min: h.min,
      mean: round(h.mean),
      p50: h.percentile(0.5),
      p90: h.percentile(0.9),
      p99: h.percentile(0.99),
      p999: h.percentile(0.999),
      max: h.max,
    },
    // OK first, then the failures in the order they first happened.
    statusCodes: Object.fromEntries([...stats.codes].sort(([a], [b]) => (a === 'OK' ? -1 : b === 'OK' ? 1 : 0))),
    errorMessages: Object.fromEntries(stats.errors),
    cpu: { userMs: round(cpu.user / 1000, 1), systemMs: round(cpu.system / 1000, 1), percent: round(((cpu.user + cpu.system) / 1000 / elapsed) * 100, 1) },
  };
  process.stdout.write(json ? JSON.stringify(summary) + '\n' : textSummary(summary));
  return Exit.OK;
}

/** A live progress line on stderr, redrawn a few times a second (terminals only). */
function startProgress(stats: Stats, total: number | undefined, durationMs: number | undefined): { stop(): void } {
  const t0 = performance.now();
  const draw = (): void => {
    const s = (performance.now() - t0) / 1000;
    const goal = total !== undefined ? `/${num(total)}` : durationMs !== undefined ? ` of ${(durationMs / 1000).toFixed(0)}s` : '';
    process.stderr.write(
      `\r\x1b[K[${s.toFixed(1)}s${total === undefined ? goal : ''}] ${num(stats.finished)}${total !== undefined ? goal : ''} calls, ` +
        `${num(stats.finished / Math.max(s, 0.001))}/s, ${num(stats.finished - stats.ok)} errors`,
    );
  };
  const timer = setInterval(draw, 250);
  timer.unref();
  return {
    stop(): void {
      clearInterval(timer);
      process.stderr.write('\r\x1b[K');
    },
  };
}

function textSummary(s: BenchSummary): string {
  const streaming = s.mode !== 'unary' && s.mode !== 'pingpong';
  const lines = [
    'Summary:',
    `  Target:        ${s.target} ${s.method} (${s.mode} over ${s.transport})`,
    `  Concurrency:   ${s.concurrency} on ${s.connections} connection${s.connections === 1 ? '' : 's'}`,
    `  Calls:         ${num(s.total)} (${num(s.ok)} OK, ${num(s.errors)} failed)`,
    `  Total time:    ${(s.durationMs / 1000).toFixed(3)} s`,
    `  Calls/sec:     ${num(s.callsPerSec, 1)}`,
  ];
  if (streaming) lines.push(`  Messages/sec:  ${num(s.messages.perSec, 1)} (${num(s.messages.sent)} sent, ${num(s.messages.received)} received)`);
  lines.push(`  Client CPU:    ${s.cpu.percent.toFixed(1)}% of one core (user ${num(s.cpu.userMs)} ms, system ${num(s.cpu.systemMs)} ms)`);
  const l = s.latencyMs;
  lines.push(
    '',
    'Latency:',
    `  min ${ms(l.min)}   mean ${ms(l.mean)}   max ${ms(l.max)}`,
    `  p50 ${ms(l.p50)}   p90 ${ms(l.p90)}   p99 ${ms(l.p99)}   p99.9 ${ms(l.p999)}`,
    '',
    'Status code distribution:',
  );
  for (const [code, n] of Object.entries(s.statusCodes)) lines.push(`  [${code}]  ${num(n)} calls`);
  if (Object.keys(s.errorMessages).length) {
    lines.push('', 'Error distribution:');
    for (const [msg, n] of Object.entries(s.errorMessages)) lines.push(`  [${num(n)}]  ${msg}`);
  }
  return lines.join('\n') + '\n';
}
