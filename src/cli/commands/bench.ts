/**
 * `idlcall bench`: a load generator in the manner of ghz, for every call
 * mode and transport, on every core. The main thread reads the flags and
 * the requests, checks them against the IDL, then runs the load itself
 * (`--cpus 1`) or hands equal shares to worker threads, each with its own
 * clients and connections, starts them together and merges what they
 * measured into one report (bench/report.ts) printed in the chosen format.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { CallMode } from '../../index.js';
import { choiceFlag, intFlag, numberFlag, parseArgs, type FlagSpec, type ParsedArgs } from '../args.js';
import { CLIENT_FLAGS, clientOptions, printConnection, transportFor } from '../connect.js';
import { applyServiceConfig } from '../service-config.js';
import { CliUsageError, Exit } from '../exit-codes.js';
import { num, parseDuration } from '../format.js';
import { benchHelp } from '../help.js';
import { LatencyHistogram } from '../histogram.js';
import { callTarget, idlSpecOf, jsonGenericOf, loadIdl, type LoadedIdl } from '../idl.js';
import { dataSource, documentsOf, fileProblem, fileSource } from '../ndjson.js';
import { csvText, influxDetails, influxSummary, prometheusText, summaryText } from '../bench/formats.js';
import { htmlReport } from '../bench/html-report.js';
import { Load, SHARED, nowMs, type LoadPlan, type LoadResult } from '../bench/load.js';
import { mergeDetails, mergeResults, type BenchReport, type RunSetup } from '../bench/report.js';
import { RequestSource, type MethodNames } from '../bench/requests.js';
import type { WorkerInput, WorkerMessage } from '../bench/worker.js';

const FLAGS: readonly FlagSpec[] = [
  ...CLIENT_FLAGS,
  { name: 'method', kind: 'string' },
  { name: 'concurrency', short: 'c', kind: 'string' },
  { name: 'connections', kind: 'string' },
  { name: 'cpus', kind: 'string' },
  { name: 'total', short: 'n', kind: 'string' },
  { name: 'duration', short: 'z', kind: 'string' },
  { name: 'max-duration', kind: 'string' },
  { name: 'rps', kind: 'string' },
  { name: 'stream-messages', kind: 'string' },
  { name: 'data-file', kind: 'string' },
  { name: 'skip-first', kind: 'string' },
  { name: 'count-errors', kind: 'boolean' },
  { name: 'max-error-rate', kind: 'string' },
  { name: 'format', kind: 'string' },
  { name: 'json', kind: 'boolean' },
  { name: 'output', kind: 'string' },
  { name: 'name', kind: 'string' },
];

/** Report formats (ghz's names; `pretty` is indented JSON). */
const FORMATS = ['summary', 'json', 'pretty', 'csv', 'html', 'influx-summary', 'influx-details', 'prometheus'] as const;
type Format = (typeof FORMATS)[number];

/** Per-call rows kept for csv and influx-details, across the run (ghz keeps as many). */
const MAX_DETAIL_ROWS = 1_000_000;

/** The request documents: `-d` (text, @FILE, @- / @) or `--data-file`; each NDJSON, concatenated or a JSON array. */
async function requestDocs(args: ParsedArgs): Promise<string[]> {
  const data = args.strings.get('data');
  const file = args.strings.get('data-file');
  if (data !== undefined && file !== undefined) throw new CliUsageError('bench: give -d or --data-file, not both');
  const source = file !== undefined ? fileSource(file, `--data-file ${file}`) : dataSource(data);
  if (source === undefined) return ['{}'];
  const docs: string[] = [];
  for await (const doc of documentsOf(source)) docs.push(doc);
  if (!docs.length) throw new CliUsageError('bench: the request is empty; give one JSON document (or several) with -d or --data-file');
  return docs;
}

/** The method's names for `{{.MethodName}}` and the like. */
function methodNames(idl: LoadedIdl, method: string, mode: CallMode): MethodNames {
  const streaming = { isClientStreaming: mode === 'client' || mode === 'bidirectional', isServerStreaming: mode === 'server' || mode === 'bidirectional' };
  if (idl.kind === 'proto') {
    const svc = idl.provider.service!;
    const m = svc.methods.find((x) => x.name === method)!;
    return { fullyQualifiedName: m.fullName, methodName: m.name, serviceName: svc.name, inputName: m.input.name, outputName: m.output.name, ...streaming };
  }
  const svc = idl.provider.service!;
  const fn = svc.functions.get(method)!;
  const typeName = (t: { kind: string; struct?: { name: string } }): string => (t.kind === 'struct' && t.struct ? t.struct.name : t.kind);
  return {
    fullyQualifiedName: `${svc.name}.${fn.name}`,
    methodName: fn.name,
    serviceName: svc.name,
    inputName: fn.args.length === 1 ? typeName(fn.args[0]!.type as { kind: string; struct?: { name: string } }) : fn.argsStruct.name,
    outputName: typeName(fn.returnType as { kind: string; struct?: { name: string } }),
    ...streaming,
  };
}

/** `n` split in `parts` shares that differ by at most one. */
function shares(n: number, parts: number): number[] {
  return Array.from({ length: parts }, (_, i) => Math.floor(n / parts) + (i < n % parts ? 1 : 0));
}

/** Runs `idlcall bench …`; resolves to the exit code. */
export async function benchCommand(argv: readonly string[]): Promise<number> {
  const args = parseArgs(argv, FLAGS, 'bench');
  if (args.booleans.has('help')) {
    process.stdout.write(benchHelp);
    return Exit.OK;
  }
  const { hostPorts, target } = callTarget(args, 'bench');
  const concurrency = intFlag(args, 'concurrency', 50, 'bench');
  const connections = intFlag(args, 'connections', 1, 'bench');
  const cpus = intFlag(args, 'cpus', availableParallelism(), 'bench');
  const rps = intFlag(args, 'rps', 0, 'bench', 0);
  const skipFirst = intFlag(args, 'skip-first', 0, 'bench', 0);
  const maxErrorRate = numberFlag(args, 'max-error-rate', 0, 'bench', 0, 1);
  const durationText = args.strings.get('duration');
  if (durationText !== undefined && args.strings.has('total')) throw new CliUsageError('bench: give --total or --duration, not both');
  const durationMs = durationText !== undefined ? parseDuration(durationText, '--duration') : undefined;
  const maxText = args.strings.get('max-duration');
  const maxDurationMs = maxText !== undefined ? parseDuration(maxText, '--max-duration') : undefined;
  const total = durationMs === undefined ? intFlag(args, 'total', 200, 'bench') : undefined;
  if (args.booleans.has('json') && args.strings.has('format')) throw new CliUsageError('bench: give --json or --format, not both');
  const format: Format = args.booleans.has('json') ? 'json' : choiceFlag(args, 'format', FORMATS, 'summary', 'bench');
  const output = args.strings.get('output');
  const emitDefaults = args.booleans.has('emit-defaults');

  const idl = await loadIdl(args, 'bench', target.service, { emitDefaults });
  const generic = jsonGenericOf(idl, { emitDefaults });
  const codec = generic.method(target.method);
  const transport = transportFor(args, idl.kind, codec.mode, 'bench');
  const docs = await requestDocs(args);
  const names = methodNames(idl, target.method, codec.mode);
  // Check every request once up front (templates filled in with sample values), so a typo fails fast instead of as N errors.
  const sample = new RequestSource(docs);
  docs.forEach((_, i) => {
    try {
      codec.encodeRequest(sample.request(i, { requestNumber: i, workerId: 'w0c0', method: names }));
    } catch (err) {
      throw docs.length > 1 ? new CliUsageError(`bench: request #${i + 1}: ${(err as Error).message}`) : err;
    }
  });
  const streamMessages = intFlag(args, 'stream-messages', docs.length > 1 ? docs.length : 10, 'bench');

  const options = clientOptions(args, hostPorts, transport, 'bench');
  const serviceConfig = args.strings.get('service-config');
  if (serviceConfig !== undefined) applyServiceConfig(serviceConfig, generic.serviceName, options);
  const threads = Math.max(1, Math.min(cpus, concurrency));
  const concurrencyShares = shares(concurrency, threads);
  const clientShares = shares(Math.max(connections, threads), threads);
  const detailRows = format === 'csv' || format === 'influx-details' ? Math.ceil(MAX_DETAIL_ROWS / threads) : 0;
  const stopAfterMs = durationMs ?? maxDurationMs;
  const plans: LoadPlan[] = concurrencyShares.map((c, i) => ({
    method: target.method,
    mode: codec.mode,
    names,
    serviceName: generic.serviceName,
    docs,
    streamMessages,
    // Ping-pong connections carry one request at a time: give each client enough of them
    // (gRPC and ttstream multiplex their streams).
    clientOptions: transport === 'grpc' || transport === 'ttstream' ? options : { ...options, maxConnectionsPerHost: Math.ceil(c / clientShares[i]!) },
    callTimeoutMs: options.timeoutMs,
    total,
    stopAfterMs,
    intervalMs: rps > 0 ? 1000 / rps : 0,
    skipFirst,
    detailRows,
    concurrency: c,
    clients: clientShares[i]!,
    threadIndex: i,
  }));

  const verbose = args.booleans.has('verbose');
  const shared = new Int32Array(new SharedArrayBuffer(SHARED.SIZE * Int32Array.BYTES_PER_ELEMENT));
  const quiet = format !== 'summary' || output !== undefined || !process.stderr.isTTY;
  let cpu: NodeJS.CpuUsage;
  let results: LoadResult[];
  if (threads === 1) {
    const load = new Load(plans[0]!, generic, shared, verbose ? printConnection : undefined);
    const cpu0 = process.cpuUsage();
    const startMs = nowMs();
    const progress = quiet ? undefined : startProgress(shared, total, stopAfterMs);
    results = [await load.run(startMs)];
    cpu = process.cpuUsage(cpu0);
    progress?.stop();
    await load.close();
  } else {
    ({ results, cpu } = await runOnWorkers(args, target.service, emitDefaults, plans, shared, quiet, total, stopAfterMs));
  }

  const setup: RunSetup = {
    name: args.strings.get('name'),
    target: hostPorts.join(','),
    method: `${generic.serviceName}/${target.method}`,
    mode: codec.mode,
    transport,
    concurrency,
    workers: threads,
    clients: clientShares.reduce((a, b) => a + b, 0),
    countErrors: args.booleans.has('count-errors'),
    skipFirst,
  };
  const report = mergeResults(setup, results, cpu);
  const text = render(format, report, results, setup.countErrors);
  if (output !== undefined) {
    try {
      writeFileSync(output, text);
    } catch (err) {
      throw new CliUsageError(`bench: -o ${output}: ${fileProblem(err)}`);
    }
  } else process.stdout.write(text);

  if (report.errorRate > maxErrorRate) {
    const failed = Math.round(report.errorRate * (report.total + report.skipped));
    process.stderr.write(
      `idlcall bench: ${num(failed)} of ${num(report.total + report.skipped)} calls failed (${(report.errorRate * 100).toFixed(report.errorRate < 0.01 ? 3 : 1)}%), ` +
        `more than --max-error-rate ${maxErrorRate} allows\n`,
    );
    return Exit.BENCH_FAILED;
  }
  return Exit.OK;
}

/** The report in `format`. */
function render(format: Format, report: BenchReport, results: readonly LoadResult[], countErrors: boolean): string {
  switch (format) {
    case 'summary':
      return summaryText(report);
    case 'json':
      return JSON.stringify(report) + '\n';
    case 'pretty':
      return JSON.stringify(report, null, 2) + '\n';
    case 'csv':
      return csvText(mergeDetails(results));
    case 'influx-summary':
      return influxSummary(report);
    case 'influx-details':
      return influxDetails(report, mergeDetails(results));
    case 'html':
      return htmlReport(report);
    case 'prometheus': {
      const h = new LatencyHistogram();
      for (const r of results) {
        h.add(r.okLatency);
        if (countErrors) h.add(r.failedLatency);
      }
      return prometheusText(report, (b) => h.cumulative(b), h.count, h.sum);
    }
  }
}

/** Starts one worker thread per plan, starts them together once all are ready, and collects their results. */
async function runOnWorkers(
  args: ParsedArgs,
  service: string | undefined,
  emitDefaults: boolean,
  plans: readonly LoadPlan[],
  shared: Int32Array,
  quiet: boolean,
  total: number | undefined,
  stopAfterMs: number | undefined,
): Promise<{ results: LoadResult[]; cpu: NodeJS.CpuUsage }> {
  const idl = idlSpecOf(args, 'bench');
  const workers = plans.map((plan) => {
    const workerData: WorkerInput = { idl, service, emitDefaults, plan, shared, verbose: args.booleans.has('verbose') };
    return new Worker(new URL('../bench/worker.js', import.meta.url), { workerData });
  });
  const messages = workers.map((w) => {
    let onMessage: (m: WorkerMessage) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
      w.once('error', reject);
      w.once('exit', (code) => reject(new Error(`bench worker exited (${code}) before it finished`)));
    });
    failed.catch(() => undefined);
    return {
      next: (kind: WorkerMessage['kind']): Promise<WorkerMessage> =>
        Promise.race([
          new Promise<WorkerMessage>((resolve, reject) => {
            onMessage = (m) => (m.kind === 'failed' ? reject(new CliUsageError(`bench: ${m.message}`)) : m.kind === kind ? resolve(m) : undefined);
            w.on('message', onMessage);
          }).finally(() => w.off('message', onMessage)),
          failed,
        ]),
    };
  });
  try {
    await Promise.all(messages.map((m) => m.next('ready')));
    const cpu0 = process.cpuUsage();
    const startMs = nowMs();
    const progress = quiet ? undefined : startProgress(shared, total, stopAfterMs);
    const done = messages.map((m) => m.next('done'));
    for (const w of workers) w.postMessage(startMs);
    const results = (await Promise.all(done)).map((m) => (m as Extract<WorkerMessage, { kind: 'done' }>).result);
    const cpu = process.cpuUsage(cpu0);
    progress?.stop();
    return { results, cpu };
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/** A live progress line on stderr, redrawn a few times a second (terminals only). */
function startProgress(shared: Int32Array, total: number | undefined, durationMs: number | undefined): { stop(): void } {
  const t0 = performance.now();
  const draw = (): void => {
    const s = (performance.now() - t0) / 1000;
    const finished = Atomics.load(shared, SHARED.FINISHED);
    const failed = Atomics.load(shared, SHARED.FAILED);
    const goal = total !== undefined ? `/${num(total)}` : durationMs !== undefined ? ` of ${(durationMs / 1000).toFixed(0)}s` : '';
    process.stderr.write(
      `\r\x1b[K[${s.toFixed(1)}s${total === undefined ? goal : ''}] ${num(finished)}${total !== undefined ? goal : ''} calls, ` +
        `${num(finished / Math.max(s, 0.001))}/s, ${num(failed)} errors`,
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
