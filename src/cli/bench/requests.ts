/**
 * The requests a bench run sends: one JSON document or many (NDJSON,
 * concatenated, a JSON array), used round-robin, and ghz's call templates
 * (`{{.RequestNumber}}`, `{{.TimestampUnix}}`, `{{.UUID}}`…), filled in for
 * each call. A template is cut into parts once; filling it in is a join.
 */
import { randomUUID } from 'node:crypto';
import { CliUsageError } from '../exit-codes.js';

/** What a template may refer to, as ghz names it. */
export interface CallData {
  /** Unique, incremented for each call of the run (across worker threads). */
  readonly requestNumber: number;
  /** The worker thread and loop that makes the call, e.g. `w0c3`. */
  readonly workerId: string;
  readonly method: MethodNames;
}

/** Names of the method being called, for templates. */
export interface MethodNames {
  readonly fullyQualifiedName: string;
  readonly methodName: string;
  readonly serviceName: string;
  readonly inputName: string;
  readonly outputName: string;
  readonly isClientStreaming: boolean;
  readonly isServerStreaming: boolean;
}

type Part = string | ((d: CallData, now: Date) => string);

/** The template fields ghz offers (its functions such as randomString are not supported). */
const FIELDS: Readonly<Record<string, (d: CallData, now: Date) => string>> = {
  RequestNumber: (d) => String(d.requestNumber),
  WorkerID: (d) => d.workerId,
  FullyQualifiedName: (d) => d.method.fullyQualifiedName,
  MethodName: (d) => d.method.methodName,
  ServiceName: (d) => d.method.serviceName,
  InputName: (d) => d.method.inputName,
  OutputName: (d) => d.method.outputName,
  IsClientStreaming: (d) => String(d.method.isClientStreaming),
  IsServerStreaming: (d) => String(d.method.isServerStreaming),
  Timestamp: (_d, now) => now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
  TimestampUnix: (_d, now) => String(Math.floor(now.getTime() / 1000)),
  TimestampUnixMilli: (_d, now) => String(now.getTime()),
  TimestampUnixNano: (_d, now) => `${now.getTime()}000000`,
  UUID: () => randomUUID(),
};

const PLACEHOLDER = /\{\{\s*([^}]*?)\s*\}\}/g;

/** A request document with its template fields cut out, or undefined when it has none. */
function compile(doc: string): Part[] | undefined {
  if (!doc.includes('{{')) return undefined;
  const parts: Part[] = [];
  let last = 0;
  for (const m of doc.matchAll(PLACEHOLDER)) {
    const expr = m[1]!;
    const field = /^\.(\w+)$/.exec(expr)?.[1];
    const fill = field !== undefined ? FIELDS[field] : undefined;
    if (!fill) {
      throw new CliUsageError(`bench: template {{${expr}}} is not supported; fields: ${Object.keys(FIELDS).map((f) => `{{.${f}}}`).join(' ')}`);
    }
    parts.push(doc.slice(last, m.index), fill);
    last = m.index + m[0].length;
  }
  parts.push(doc.slice(last));
  return parts;
}

/** The request documents of a run, filled in per call. */
export class RequestSource {
  private readonly templates: Array<Part[] | undefined>;
  /** Whether any document is a template (then every request is built per call). */
  readonly templated: boolean;

  constructor(readonly docs: readonly string[]) {
    if (docs.length === 0) throw new CliUsageError('bench: no request given; pass one JSON document (or several) with -d or --data-file');
    this.templates = docs.map(compile);
    this.templated = this.templates.some((t) => t !== undefined);
  }

  /** The `index`th document (round-robin), filled in for `data`. */
  request(index: number, data: CallData): string {
    const i = index % this.docs.length;
    const parts = this.templates[i];
    if (parts === undefined) return this.docs[i]!;
    const now = new Date();
    let out = '';
    for (const p of parts) out += typeof p === 'string' ? p : p(data, now);
    return out;
  }
}
