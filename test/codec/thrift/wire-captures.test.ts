// Bytes from real Kitex v0.14.1 traffic (the captures in test/fixtures/wire), hand-built
// descriptors: no parser involved.
import { describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import { DeclaredException } from '../../../src/errors/declared-exception.js';
import { T, field, fn, hex, struct, unhex } from './build.js';

const Request = struct('Request', [field(1, 'message', T.string)]);
const Response = struct('Response', [field(1, 'message', T.string)]);
const KitchenError = struct('KitchenError', [field(1, 'code', T.i32), field(2, 'message', T.string)], 'exception');
const codec = new ThriftCodec();

describe('Kitex wire captures', () => {
  it('gRPC streaming messages are bare structs (thrift_grpc_bidi_generic)', () => {
    expect(hex(codec.encodeJson(Request, '{"message":"hello"}'))).toBe('0b00010000000568656c6c6f00');
    expect(codec.decodeToJson(Response, unhex('0b000100000012736572766572206563686f3a2068656c6c6f00'))).toBe('{"message":"server echo: hello"}');
  });
  it('unary over gRPC and ping-pong wrap args and results (thrift_grpc_unary_generic, thrift_pingpong_ttheader_generic)', () => {
    const echo = fn('EchoUnary', [field(1, 'req', T.struct(Request))], T.struct(Response));
    expect(hex(codec.encodeArgsJson(echo, '{"message":"hello"}'))).toBe('0c00010b00010000000568656c6c6f0000');
    expect(codec.decodeResultToJson(echo, unhex('0c00000b00010000001373657276657220756e6172793a2068656c6c6f0000'))).toBe('{"message":"server unary: hello"}');
    expect(codec.decodeResultToJson(echo, unhex('0c00000b00010000001273657276657220706f6e673a2068656c6c6f0000'))).toBe('{"message":"server pong: hello"}');
    // And the server side produces the same bytes.
    expect(hex(codec.encodeResultJson(echo, '{"message":"server unary: hello"}'))).toBe('0c00000b00010000001373657276657220756e6172793a2068656c6c6f0000');
    expect(codec.decodeArgsToJson(echo, unhex('0c00010b00010000000568656c6c6f0000'))).toBe('{"message":"hello"}');
  });
  it('a declared exception arrives in the result struct (thrift_exception_ttheader, thrift_grpc_exception)', () => {
    const fail = fn('Fail', [field(1, 'k', T.struct(Request))], T.i32, [field(1, 'err', T.struct(KitchenError))]);
    const reply = unhex('0c0001080001000000070b000200000004626f6f6d0000');
    let e: unknown;
    try {
      codec.decodeResultToJson(fail, reply);
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(DeclaredException);
    expect((e as DeclaredException).json).toBe('{"code":7,"message":"boom"}');
    expect(hex(codec.encodeExceptionJson(fail, 'KitchenError', '{"code":7,"message":"boom"}'))).toBe(hex(reply));
  });
});
