import type { ProtoMessage } from '../../idl-parser/proto/descriptor.js';

/** Finds message types by full name (for `google.protobuf.Any`). */
export interface TypeResolver {
  findMessage(fullName: string): ProtoMessage | undefined;
}
