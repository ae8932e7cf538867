/**
 * What a generic server loads only once a connection or call needs it: the gRPC server (for a
 * Thrift server), the ttstream and ping-pong transports, server reflection, and registries. A
 * process that serves plain gRPC (or plain Thrift: then node:http2 too) never loads them:
 * every module a server loads costs memory for the process's life, and the garbage its
 * loading leaves makes V8 grow the young generation early (peak RSS).
 */

/** The ttstream transport's server side and its dispatcher. */
export type TTStreamServing = typeof import('../../ttstream/server.js') & typeof import('./ttstream-dispatch.js');

let grpcServer: Promise<typeof import('../../http2/server.js')> | undefined;
let ttstream: Promise<TTStreamServing> | undefined;
let pingPong: Promise<typeof import('./pingpong-dispatch.js')> | undefined;
let reflection: Promise<typeof import('../../reflection/reflection-service.js')> | undefined;
let discovery: Promise<typeof import('../../discovery/targets.js')> | undefined;

/** The gRPC server (node:http2): loaded as a proto or TLS server starts, by a Thrift server on its first gRPC connection. */
export function loadGrpcServer(): Promise<typeof import('../../http2/server.js')> {
  return (grpcServer ??= import('../../http2/server.js'));
}

/** The ttstream server, loaded on the first ttstream connection. */
export function loadTTStream(): Promise<TTStreamServing> {
  return (ttstream ??= Promise.all([import('../../ttstream/server.js'), import('./ttstream-dispatch.js')]).then(([server, dispatch]) => ({
    ...server,
    ...dispatch,
  })));
}

/** The ping-pong connection handler, loaded on the first ping-pong connection. */
export function loadPingPong(): Promise<typeof import('./pingpong-dispatch.js')> {
  return (pingPong ??= import('./pingpong-dispatch.js'));
}

/** The reflection service, loaded on the first reflection call. */
export function loadReflection(): Promise<typeof import('../../reflection/reflection-service.js')> {
  return (reflection ??= import('../../reflection/reflection-service.js'));
}

/** Registries by target (`etcd://…`), loaded when a server registers itself. */
export function loadDiscovery(): Promise<typeof import('../../discovery/targets.js')> {
  return (discovery ??= import('../../discovery/targets.js'));
}
