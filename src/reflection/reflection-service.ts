/**
 * The server side of gRPC server reflection, v1 and v1alpha (the same messages): answers
 * `ServerReflectionInfo` streams with the descriptors of the files a server serves. As
 * grpc-go does, a file answer carries the requested file and those of its transitive
 * dependencies not yet sent on the same stream.
 */
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage } from '../idl-parser/proto/descriptor.js';
import type { ProtoRegistry } from '../idl-parser/proto/registry.js';
import type { ServerCall } from '../http2/index.js';
import { Code } from '../errors/status-code.js';
import { fileDescriptorBytes } from './descriptor-encode.js';
import {
  decodeReflectionRequest,
  encodeReflectionResponse,
  type ReflectionRequest,
  type ReflectionResponse,
} from './reflection-messages.js';
import { serviceProtos } from './service-protos.js';

/** One servable file and the registry its option extensions resolve in. */
interface Entry {
  readonly file: ProtoFile;
  readonly registry: ProtoRegistry;
}

/** What the service knows, built on first use. */
interface Index {
  readonly files: Map<string, Entry>;
  /** Full names of messages, enums, values, fields, extensions, services and methods → their file. */
  readonly symbols: Map<string, string>;
  /** Extendee full name → extension number → file. */
  readonly extensions: Map<string, Map<number, string>>;
}

function indexMessage(m: ProtoMessage, file: string, ix: Index): void {
  ix.symbols.set(m.fullName, file);
  for (const f of m.fields) ix.symbols.set(f.fullName, file);
  for (const o of m.oneofs) ix.symbols.set(`${m.fullName}.${o.name}`, file);
  for (const x of m.extensions) indexExtension(x, file, ix);
  for (const e of m.nestedEnums) indexEnum(e, file, ix);
  for (const n of m.nestedMessages) indexMessage(n, file, ix);
}

function indexEnum(e: ProtoEnum, file: string, ix: Index): void {
  ix.symbols.set(e.fullName, file);
  const scope = e.fullName.slice(0, e.fullName.length - e.name.length);
  for (const v of e.values) ix.symbols.set(scope + v.name, file);
}

function indexExtension(x: ProtoField, file: string, ix: Index): void {
  ix.symbols.set(x.fullName, file);
  const extendee = x.extendee!.fullName;
  let byNumber = ix.extensions.get(extendee);
  if (!byNumber) ix.extensions.set(extendee, (byNumber = new Map()));
  byNumber.set(x.number, file);
}

/** Answers reflection for the files of `registry` (if any) and the health and reflection services. */
export class ReflectionService {
  private index: Index | undefined;

  /**
   * `registry`: the served IDL's files (undefined for a Thrift server); `services`: the full
   * names `list_services` reports.
   */
  constructor(
    private readonly registry: ProtoRegistry | undefined,
    private readonly services: () => readonly string[],
  ) {}

  /** Serves one `ServerReflectionInfo` stream until the client half-closes. */
  async serve(call: ServerCall): Promise<void> {
    const ix = (this.index ??= this.build());
    const sent = new Set<string>();
    for (;;) {
      const bytes = await call.recv();
      if (bytes === undefined) return call.end({ code: Code.OK });
      let decoded: ReturnType<typeof decodeReflectionRequest>;
      try {
        decoded = decodeReflectionRequest(bytes);
      } catch (err) {
        return call.end({ code: Code.INVALID_ARGUMENT, message: `reflection request could not be decoded: ${(err as Error).message}` });
      }
      if (!decoded.request) return call.end({ code: Code.INVALID_ARGUMENT, message: 'reflection request names no message_request' });
      await call.send(encodeReflectionResponse(decoded.host, bytes, this.answer(ix, decoded.request, sent)));
    }
  }

  private answer(ix: Index, req: ReflectionRequest, sent: Set<string>): ReflectionResponse {
    switch (req.kind) {
      case 'listServices':
        return { kind: 'services', names: this.services() };
      case 'fileByFilename':
        return this.files(ix, ix.files.has(req.name) ? req.name : undefined, `file "${req.name}" not found`, sent);
      case 'fileContainingSymbol': {
        const symbol = req.symbol.startsWith('.') ? req.symbol.slice(1) : req.symbol;
        return this.files(ix, ix.symbols.get(symbol), `symbol "${req.symbol}" not found`, sent);
      }
      case 'fileContainingExtension': {
        const file = ix.extensions.get(req.containingType)?.get(req.number);
        return this.files(ix, file, `extension ${req.number} of "${req.containingType}" not found`, sent);
      }
      case 'allExtensionNumbersOfType': {
        if (!ix.symbols.has(req.type)) return { kind: 'error', code: Code.NOT_FOUND, message: `type "${req.type}" not found` };
        return { kind: 'extensionNumbers', baseTypeName: req.type, numbers: [...(ix.extensions.get(req.type)?.keys() ?? [])] };
      }
    }
  }

  /** The file (always) and its transitive dependencies not yet sent, breadth first. */
  private files(ix: Index, name: string | undefined, missing: string, sent: Set<string>): ReflectionResponse {
    if (name === undefined) return { kind: 'error', code: Code.NOT_FOUND, message: missing };
    const out: Uint8Array[] = [];
    const queue = [name];
    const seen = new Set<string>();
    while (queue.length) {
      const next = queue.shift()!;
      if (seen.has(next)) continue;
      seen.add(next);
      const entry = ix.files.get(next);
      if (!entry) continue;
      if (out.length === 0 || !sent.has(next)) {
        sent.add(next);
        out.push(fileDescriptorBytes(entry.file, entry.registry));
      }
      queue.push(...entry.file.dependencies);
    }
    return { kind: 'files', files: out };
  }

  private build(): Index {
    const ix: Index = { files: new Map(), symbols: new Map(), extensions: new Map() };
    const builtin = serviceProtos();
    for (const [files, registry] of [[this.registry?.files ?? [], this.registry], [builtin.files, builtin]] as const) {
      for (const file of files) {
        if (ix.files.has(file.name) || !registry || file === builtin.mainFile) continue;
        ix.files.set(file.name, { file, registry });
        for (const m of file.messages) indexMessage(m, file.name, ix);
        for (const e of file.enums) indexEnum(e, file.name, ix);
        for (const x of file.extensions) indexExtension(x, file.name, ix);
        for (const s of file.services) {
          ix.symbols.set(s.fullName, file.name);
          for (const m of s.methods) ix.symbols.set(m.fullName, file.name);
        }
      }
    }
    return ix;
  }
}
