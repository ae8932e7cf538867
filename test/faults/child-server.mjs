// A generic server for the fault suite in a process of its own, so that a crash or memory
// growth is its own. Runs the built package (dist/, built by the test global setup).
//   node child-server.mjs <idl file> thrift|proto <behaviour> <options JSON>
// Prints its port, then answers each stdin line: "memory" → memory figures as JSON,
// "reset" → the same after forgetting the peak RSS. Ends when stdin closes.
import { createInterface } from 'node:readline';
import {
  jsonPbGeneric,
  jsonThriftGeneric,
  newGenericServer,
  protoFileProvider,
  thriftException,
  thriftFileProvider,
} from '../../dist/index.js';

const [idl, kind, behaviour, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson);
let handled = 0;

/** Echo handlers; 'hostile' also does what issue 19 found crashing the process, on request. */
function echo(req, ctx) {
  handled++;
  const { message } = JSON.parse(req);
  if (behaviour === 'hostile') {
    if (message === 'unfit exception') throw thriftException('Oops', '{"code":"not a number"}');
    if (message === 'huge header') ctx.setHeader('echo', 'x'.repeat(70_000));
  }
  return JSON.stringify({ message });
}

const generic = kind === 'thrift' ? jsonThriftGeneric(await thriftFileProvider(idl)) : jsonPbGeneric(await protoFileProvider(idl));
const server = newGenericServer(generic, { Echo: echo }, options);
const { port } = await server.start();

let peak = 0;
const sample = () => {
  const rss = process.memoryUsage.rss();
  if (rss > peak) peak = rss;
};
setInterval(sample, 10).unref();
const report = () => {
  sample();
  const m = process.memoryUsage();
  return JSON.stringify({ rss: m.rss, peakRss: peak, arrayBuffers: m.arrayBuffers, handled });
};

process.stdout.write(`${port}\n`);
const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  if (line === 'reset') {
    globalThis.gc?.();
    peak = 0;
  }
  process.stdout.write(`${report()}\n`);
});
rl.on('close', () => {
  server.close().finally(() => process.exit(0));
});
