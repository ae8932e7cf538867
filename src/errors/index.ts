export { IdlError, type IdlLocation } from './idl-error.js';
export { CodecError, type CodecStage } from './codec-error.js';
export { Code, codeName } from './status-code.js';
export { RpcError, type RpcErrorInit, type StatusDetail, type Metadata } from './rpc-error.js';
export { DeclaredException, thriftException } from './declared-exception.js';
export { UsageError } from './usage-error.js';
