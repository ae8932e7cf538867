// Where Debian's packages put the programs and files the benchmarks run beside idlcall (the same
// paths as test/support/oracles.ts): the only place in bench/ that names a system path.

/** Debian's python3, with python3-grpcio and python3-thrift. */
export const PYTHON = '/usr/bin/python3';
/** The well-known `.proto` files from libprotobuf-dev. */
export const PROTO_INCLUDE = '/usr/include';
/** The Thrift tutorial IDLs that thrift-compiler ships. */
export const THRIFT_EXAMPLES = '/usr/share/doc/thrift-compiler/examples';
/** h2load, nghttp2's HTTP/2 load generator (Debian nghttp2-client): the gRPC unary load of bench/server.mjs. */
export const H2LOAD = '/usr/bin/h2load';
/** valgrind (Debian valgrind): callgrind's instruction counts in bench/proto-codec-instructions.mjs. */
export const VALGRIND = '/usr/bin/valgrind';
