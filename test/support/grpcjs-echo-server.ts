import * as grpc from '@grpc/grpc-js';

/**
 * A raw-bytes `test.Echo` service on @grpc/grpc-js (identity (de)serializers, no IDL),
 * behaving like test/peers/grpc_raw_server.py: Unary echoes, ServerStream sends the
 * request x-count times (default 3), ClientStream answers the concatenation, Bidi echoes
 * each message. x-* request metadata comes back as `echo-*` headers and `trail-*`
 * trailers; x-fail-code / x-fail-message end the call with that status.
 */
export interface GrpcJsEchoServer {
  port: number;
  server: grpc.Server;
  stop(): Promise<void>;
}

const id = (b: Buffer): Buffer => b;

function echoMetadata(md: grpc.Metadata, prefix: string): grpc.Metadata {
  const out = new grpc.Metadata();
  for (const [k, v] of Object.entries(md.getMap())) {
    if (k.startsWith('x-')) out.set(prefix + k.slice(2), v as string | Buffer);
  }
  return out;
}

function failure(md: grpc.Metadata): grpc.ServiceError | undefined {
  const code = md.get('x-fail-code')[0];
  if (code === undefined) return undefined;
  const err = new Error(String(md.get('x-fail-message')[0] ?? 'failed')) as grpc.ServiceError;
  err.code = Number(code);
  err.details = String(md.get('x-fail-message')[0] ?? 'failed');
  err.metadata = echoMetadata(md, 'trail-');
  return err;
}

/** Starts the echo service on 127.0.0.1:0, plaintext or TLS. */
export async function startGrpcJsEchoServer(tls?: { key: Buffer; cert: Buffer }): Promise<GrpcJsEchoServer> {
  const server = new grpc.Server();
  const def = (requestStream: boolean, responseStream: boolean, name: string): grpc.MethodDefinition<Buffer, Buffer> => ({
    path: `/test.Echo/${name}`,
    requestStream,
    responseStream,
    requestSerialize: id,
    requestDeserialize: id,
    responseSerialize: id,
    responseDeserialize: id,
  });
  const service: grpc.ServiceDefinition = {
    Unary: def(false, false, 'Unary'),
    ServerStream: def(false, true, 'ServerStream'),
    ClientStream: def(true, false, 'ClientStream'),
    Bidi: def(true, true, 'Bidi'),
  };
  server.addService(service, {
    Unary: (call: grpc.ServerUnaryCall<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      call.sendMetadata(echoMetadata(call.metadata, 'echo-'));
      const f = failure(call.metadata);
      if (f) cb(f);
      else cb(null, call.request, echoMetadata(call.metadata, 'trail-'));
    },
    ServerStream: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      call.sendMetadata(echoMetadata(call.metadata, 'echo-'));
      const n = Number(call.metadata.get('x-count')[0] ?? 3);
      for (let i = 0; i < n; i++) call.write(call.request);
      const f = failure(call.metadata);
      if (f) call.emit('error', f);
      else call.end(echoMetadata(call.metadata, 'trail-'));
    },
    ClientStream: (call: grpc.ServerReadableStream<Buffer, Buffer>, cb: grpc.sendUnaryData<Buffer>) => {
      call.sendMetadata(echoMetadata(call.metadata, 'echo-'));
      const parts: Buffer[] = [];
      call.on('data', (b: Buffer) => parts.push(b));
      call.on('end', () => {
        const f = failure(call.metadata);
        if (f) cb(f);
        else cb(null, Buffer.concat(parts), echoMetadata(call.metadata, 'trail-'));
      });
    },
    Bidi: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => {
      call.sendMetadata(echoMetadata(call.metadata, 'echo-'));
      call.on('data', (b: Buffer) => call.write(b));
      call.on('end', () => {
        const f = failure(call.metadata);
        if (f) call.emit('error', f);
        else call.end(echoMetadata(call.metadata, 'trail-'));
      });
    },
  } as grpc.UntypedServiceImplementation);
  const creds = tls ? grpc.ServerCredentials.createSsl(null, [{ private_key: tls.key, cert_chain: tls.cert }], false) : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', creds, (err, p) => (err ? reject(err) : resolve(p)));
  });
  return {
    port,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.tryShutdown(() => resolve());
        // Bounded: cut whatever is still open.
        setTimeout(() => server.forceShutdown(), 1000).unref();
      }),
  };
}
