import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonPbGeneric,
  newClient,
  newGenericServer,
  protoFileProvider,
  type GenericServer,
  type ProtoProvider,
} from '../../src/index.js';
import { genMessage } from '../codec/proto/generate.js';
import { rng } from '../codec/proto/helpers.js';

// Kitex protobuf ping-pong (TTHeader + Framed, and Framed alone) between our client and our
// generic server, for random messages with every field kind, nested messages, maps, oneofs
// and well-known types.
let provider: ProtoProvider;
let server: GenericServer<string, string>;

beforeAll(async () => {
  provider = await protoFileProvider('test/fixtures/generic/kitchen_service.proto', {
    includeDirs: ['test/fixtures/proto-codec'],
  });
  server = newGenericServer(jsonPbGeneric(provider), { Echo: (req) => req });
  await server.start();
});

afterAll(async () => {
  await server?.close();
});

describe('Kitex protobuf ping-pong round trips, every field kind', () => {
  it.each(['ttheader', 'framed'] as const)('over %s', async (transport) => {
    const cli = newClient('KitchenService', jsonPbGeneric(provider), { hostPorts: [server.hostPort], transport });
    const kitchen = provider.messageType('kitchen.Kitchen');
    const rand = rng(transport === 'ttheader' ? 12 : 34);
    try {
      for (let i = 0; i < 40; i++) {
        const json = genMessage(rand, kitchen);
        // What the message means, in canonical form: encode, then decode.
        const expected = provider.decodeToJson('kitchen.Kitchen', provider.encodeJson('kitchen.Kitchen', json));
        expect(await cli.genericCall('Echo', json)).toBe(expected);
      }
    } finally {
      await cli.close();
    }
  });
});
